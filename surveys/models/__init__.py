"""Surveys: campaigns and their questions (``campaigns``), responses, answers and
external respondents (``responses``). Writes live in ``surveys/services/``."""

from .campaigns import Campaign, Choice, Question, Section
from .responses import Answer, Respondent, Response

__all__ = ["Answer", "Campaign", "Choice", "Question", "Respondent", "Response", "Section"]
