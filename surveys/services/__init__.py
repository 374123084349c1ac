"""Every write of the surveys app, by domain, re-exported here."""

from .answers import answer_value
from .campaigns import (
    campaign_close,
    campaign_copy,
    campaign_create,
    campaign_open,
    campaign_publish,
    campaign_update,
)
from .questions import (
    choice_create,
    question_create,
    question_delete,
    question_move,
    question_update,
    section_create,
    section_delete,
    section_move,
    section_update,
)
from .respondents import (
    respondent_link,
    respondent_link_token,
    respondent_opt_out,
    respondent_opt_out_link,
    respondent_token_create,
    respondents_import,
)
from .responses import (
    last_year_response,
    response_check,
    response_reopen,
    response_save_draft,
    response_start,
    response_submit,
    response_take_over_last_year,
)

__all__ = [
    "answer_value",
    "campaign_close",
    "campaign_copy",
    "campaign_create",
    "campaign_open",
    "campaign_publish",
    "campaign_update",
    "choice_create",
    "last_year_response",
    "question_create",
    "question_delete",
    "question_move",
    "question_update",
    "respondent_link",
    "respondent_link_token",
    "respondent_opt_out",
    "respondent_opt_out_link",
    "respondent_token_create",
    "respondents_import",
    "response_check",
    "response_reopen",
    "response_save_draft",
    "response_start",
    "response_submit",
    "response_take_over_last_year",
    "section_create",
    "section_delete",
    "section_move",
    "section_update",
]
