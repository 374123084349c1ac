"""The surveys app's views, one module per domain (each re-exported here)."""

from .editor import (
    campaign_copy,
    campaign_create,
    campaign_detail,
    campaign_edit,
    campaign_preview,
    campaign_transition,
    question_create,
    question_delete,
    question_edit,
    question_move,
    section_create,
    section_delete,
    section_edit,
    section_move,
)
from .external import opt_out, questionnaire
from .respondents import invitation_control, respondent_import, respondent_list
from .responses import (
    campaign_list,
    response_done,
    response_edit,
    response_history,
    response_pdf,
    response_reopen,
    response_submit,
    response_take_over,
)
from .results import export, report_pdf, results
from .tracking import remind_by_hand, tracking

__all__ = [
    "campaign_copy",
    "campaign_create",
    "campaign_detail",
    "campaign_edit",
    "campaign_list",
    "campaign_preview",
    "campaign_transition",
    "export",
    "invitation_control",
    "opt_out",
    "question_create",
    "question_delete",
    "question_edit",
    "question_move",
    "questionnaire",
    "remind_by_hand",
    "report_pdf",
    "respondent_import",
    "respondent_list",
    "response_done",
    "response_edit",
    "response_history",
    "response_pdf",
    "response_reopen",
    "response_submit",
    "response_take_over",
    "results",
    "section_create",
    "section_delete",
    "section_edit",
    "section_move",
    "tracking",
]
