"""The actions on a request, through the services and through the pages: routing by the
correspondent, a platform accepting (the first takes it, a race has one winner),
declining, passing on; the taking platform's progress, messages and notes; closing with
the transfer level; the bureau reopening. Each refusal is a message, never a 500."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from innovalo.exceptions import ServiceError
from innovalo.models import AuditEntry, SentReminder
from members.enums import TransferLevel
from projects.enums import RequestEventKind, RequestStatus, RoutingStatus
from projects.models import FirmRequest, RequestEvent, RequestRouting
from projects.services import request_actions as services
from projects.services.requests import request_token
from tests.factories import UserFactory

from .factories import ProjectFactory
from .requests_factories import FirmRequestFactory
from .test_requests_board_fixtures import *  # noqa: F403 (fixtures)
from .test_requests_board_fixtures import counts, proposed, routed_to, staffed

pytestmark = pytest.mark.django_db


def routing_of(firm_request, platform) -> RequestRouting:
    return RequestRouting.objects.get(request=firm_request, platform=platform)


def fresh(firm_request) -> FirmRequest:
    return FirmRequest.objects.get(pk=firm_request.pk)


def accepted(firm_request, platform, actor):
    return services.request_accept(
        firm_request=firm_request, routing=routing_of(firm_request, platform), actor=actor
    )


def events(firm_request, kind=None):
    rows = RequestEvent.objects.filter(request=firm_request).order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def audit(firm_request, action):
    return AuditEntry.objects.filter(
        target=f"projects.firmrequest:{firm_request.pk}", action=action
    )


# Accepting -----------------------------------------------------------------------------------


def test_the_first_to_accept_takes_the_request(routed, platform, third_platform, director):
    accepted(routed, platform, director)
    row = fresh(routed)
    assert row.status == RequestStatus.ACCEPTED
    assert row.taken_by == platform
    assert row.first_answer_at is not None
    assert routing_of(routed, platform).status == RoutingStatus.ACCEPTED
    assert routing_of(routed, third_platform).status == RoutingStatus.NOTIFIED  # stays
    assert events(routed, RequestEventKind.STATUS)[-1].status == RequestStatus.ACCEPTED
    assert audit(routed, "request.accepted").get().actor == director


def test_a_second_acceptance_is_refused(routed, platform, third_platform, director):
    accepted(routed, platform, director)
    other = third_platform.memberships.get().user
    with pytest.raises(ServiceError, match="déjà accepté"):
        accepted(fresh(routed), third_platform, other)
    assert fresh(routed).taken_by == platform


def test_a_stale_page_accepting_finds_the_request_taken(routed, platform, third_platform, director):
    stale = FirmRequest.objects.get(pk=routed.pk)  # loaded before the other accepts
    accepted(routed, platform, director)
    with pytest.raises(ServiceError, match="déjà accepté"):
        services.request_accept(
            firm_request=stale, routing=routing_of(stale, third_platform), actor=director
        )


def test_the_database_constraint_turns_into_a_message(routed, platform, third_platform, director):
    """A routing accepted behind the service's back (the request not marked taken): the
    constraint refuses the second acceptance and the service says so."""
    RequestRouting.objects.filter(request=routed, platform=third_platform).update(
        status=RoutingStatus.ACCEPTED
    )
    with pytest.raises(ServiceError, match="déjà accepté"):
        accepted(routed, platform, director)
    assert fresh(routed).taken_by is None


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_have_one_winner(platform, third_platform, director):
    firm_request = routed_to(platform, third_platform)
    other = third_platform.memberships.get().user
    barrier = threading.Barrier(2)
    results = {}

    def accept(name, target, actor):
        try:
            barrier.wait(timeout=5)
            accepted(FirmRequest.objects.get(pk=firm_request.pk), target, actor)
            results[name] = "won"
        except ServiceError as error:
            results[name] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=("a", platform, director)),
        threading.Thread(target=accept, args=("b", third_platform, other)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results.values())[-1] == "won"
    assert list(results.values()).count("won") == 1
    assert RequestRouting.objects.filter(status=RoutingStatus.ACCEPTED).count() == 1
    winner = fresh(firm_request).taken_by
    assert winner in (platform, third_platform)


def test_accept_through_the_page(client_for, routed, platform):
    response = client_for("director").post(
        reverse("request_accept", args=[routed.pk]),
        {"routing": routing_of(routed, platform).pk},
    )
    assert response.status_code == 302
    assert fresh(routed).taken_by == platform


def test_the_other_platform_accepting_on_the_page_gets_a_message(
    client, routed, platform, third_platform, director
):
    accepted(routed, platform, director)
    client.force_login(third_platform.memberships.get().user)
    url = reverse("request_accept", args=[routed.pk])
    response = client.post(url, {"routing": routing_of(routed, third_platform).pk}, follow=True)
    assert response.status_code == 403  # taken: no more answers for that platform
    assert fresh(routed).taken_by == platform


def test_accepting_for_a_routing_that_is_not_mine_is_a_message(client_for, routed, third_platform):
    before = counts()
    response = client_for("director").post(
        reverse("request_accept", args=[routed.pk]),
        {"routing": routing_of(routed, third_platform).pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choisissez la plateforme" in response.content.decode()
    assert counts() == before


# Declining and passing -------------------------------------------------------------------------


def test_decline_needs_a_reason(routed, platform, director):
    with pytest.raises(ServiceError) as error:
        services.request_decline(
            firm_request=routed, routing=routing_of(routed, platform), reason=" ", actor=director
        )
    assert error.value.field == "reason"


def test_one_decline_leaves_the_others(routed, platform, director):
    services.request_decline(
        firm_request=routed,
        routing=routing_of(routed, platform),
        reason="Hors domaine",
        actor=director,
    )
    routing = routing_of(routed, platform)
    assert routing.status == RoutingStatus.DECLINED
    assert routing.reason == "Hors domaine"
    assert routing.answered_at is not None
    assert fresh(routed).status == RequestStatus.ROUTED
    assert fresh(routed).first_answer_at is None  # a decline does not answer the firm


def test_when_every_platform_declined_the_request_is_new_again_for_the_correspondent(
    routed, platform, third_platform, director, correspondent, django_capture_on_commit_callbacks
):
    other = third_platform.memberships.get().user
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decline(
            firm_request=routed, routing=routing_of(routed, platform), reason="Non", actor=director
        )
        services.request_decline(
            firm_request=fresh(routed),
            routing=routing_of(routed, third_platform),
            reason="Pas le temps",
            actor=other,
        )
    assert fresh(routed).status == RequestStatus.NEW
    assert events(routed, RequestEventKind.STATUS)[-1].status == RequestStatus.NEW
    sent = [m for m in mail.outbox if correspondent.email in m.to]
    assert len(sent) == 1
    assert "Pas le temps" in sent[0].body
    assert reverse("request_detail", args=[routed.pk]) in sent[0].body


def test_decline_through_the_page_keeps_the_typed_text_on_error(client_for, routed, platform):
    url = reverse("request_decline", args=[routed.pk])
    response = client_for("director").post(url, {"routing": routing_of(routed, platform).pk})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    response = client_for("director").post(
        url, {"routing": routing_of(routed, platform).pk, "reason": "Hors domaine"}
    )
    assert response.status_code == 302
    assert routing_of(routed, platform).status == RoutingStatus.DECLINED


def test_pass_to_another_platform(
    routed, platform, director, other_platform, other_director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = services.request_pass(
            firm_request=routed,
            routing=routing_of(routed, platform),
            platform=other_platform,
            reason="Ils ont la presse à injecter",
            actor=director,
        )
    mine = routing_of(routed, platform)
    assert mine.status == RoutingStatus.PASSED
    assert mine.passed_to == other_platform
    assert mine.reason == "Ils ont la presse à injecter"
    assert new.platform == other_platform and new.status == RoutingStatus.NOTIFIED
    assert fresh(routed).status == RequestStatus.ROUTED
    assert [m.to for m in mail.outbox if other_director.email in m.to]  # told once
    assert audit(routed, "request.passed").exists()


def test_pass_refusals(routed, platform, third_platform, director, other_platform):
    routing = routing_of(routed, platform)
    for target, field in ((platform, "platform"), (third_platform, "platform"), (None, "platform")):
        with pytest.raises(ServiceError) as error:
            services.request_pass(
                firm_request=routed, routing=routing, platform=target, reason="x", actor=director
            )
        assert error.value.field == field
    with pytest.raises(ServiceError) as error:
        services.request_pass(
            firm_request=routed, routing=routing, platform=other_platform, reason="", actor=director
        )
    assert error.value.field == "reason"
    assert routing_of(routed, platform).status == RoutingStatus.NOTIFIED


def test_a_proposed_platform_can_receive_a_pass(routed, platform, director, other_platform):
    RequestRouting.objects.create(
        request=routed, platform=other_platform, status=RoutingStatus.PROPOSED
    )
    services.request_pass(
        firm_request=routed,
        routing=routing_of(routed, platform),
        platform=other_platform,
        reason="Mieux placée",
        actor=director,
    )
    assert routing_of(routed, other_platform).status == RoutingStatus.NOTIFIED


def test_pass_through_the_page_lists_only_platforms_that_never_had_it(
    client_for, routed, platform, third_platform, other_platform
):
    url = reverse("request_pass", args=[routed.pk])
    form = client_for("director").get(url).context["form"]
    choices = set(form.fields["platform"].queryset)
    assert other_platform in choices
    assert platform not in choices and third_platform not in choices
    response = client_for("director").post(
        url,
        {
            "routing": routing_of(routed, platform).pk,
            "platform": third_platform.pk,
            "reason": "x",
        },
    )
    assert response.status_code == 200  # not a valid choice
    assert routing_of(routed, platform).status == RoutingStatus.NOTIFIED


def test_declined_platforms_cannot_answer_again(client_for, routed, platform, director):
    services.request_decline(
        firm_request=routed, routing=routing_of(routed, platform), reason="Non", actor=director
    )
    for name in ("request_decline", "request_pass"):
        assert client_for("director").get(reverse(name, args=[routed.pk])).status_code == 403
    response = client_for("director").post(
        reverse("request_accept", args=[routed.pk]), {"routing": routing_of(routed, platform).pk}
    )
    assert response.status_code == 403


# Routing by the correspondent ------------------------------------------------------------------


def test_the_correspondent_confirms_the_proposals(
    client_for,
    correspondent,
    platform,
    third_platform,
    director,
    django_capture_on_commit_callbacks,
):
    firm_request = proposed(platform, third_platform)
    url = reverse("request_route", args=[firm_request.pk])
    response = client_for("correspondent").get(url)
    assert set(response.context["form"].initial["platforms"]) == {platform.pk, third_platform.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("correspondent").post(url, {"platforms": [platform.pk]})
    assert response.status_code == 302
    assert fresh(firm_request).status == RequestStatus.ROUTED
    assert routing_of(firm_request, platform).status == RoutingStatus.NOTIFIED
    assert routing_of(firm_request, platform).routed_by == correspondent
    assert routing_of(firm_request, third_platform).status == RoutingStatus.WITHDRAWN
    assert [m for m in mail.outbox if director.email in m.to]


def test_the_correspondent_changes_the_routing(
    client_for, correspondent, routed, platform, third_platform, other_platform
):
    url = reverse("request_route", args=[routed.pk])
    response = client_for("correspondent").post(
        url, {"platforms": [third_platform.pk], "other": other_platform.pk}
    )
    assert response.status_code == 302
    assert routing_of(routed, platform).status == RoutingStatus.WITHDRAWN
    assert routing_of(routed, third_platform).status == RoutingStatus.NOTIFIED
    assert routing_of(routed, other_platform).status == RoutingStatus.NOTIFIED
    assert audit(routed, "request.routing_withdrawn").exists()
    # The withdrawn platform no longer sees it.
    assert (
        client_for("director").get(reverse("request_detail", args=[routed.pk])).status_code == 404
    )


def test_routing_to_nobody_is_an_error_next_to_the_form(client_for, correspondent, routed):
    before = counts()
    response = client_for("correspondent").post(reverse("request_route", args=[routed.pk]), {})
    assert response.status_code == 200
    assert "Choisissez au moins une plateforme" in response.content.decode()
    assert counts() == before


def test_routing_to_a_platform_that_declined_is_refused(
    client_for, correspondent, routed, platform, director, third_platform
):
    services.request_decline(
        firm_request=routed, routing=routing_of(routed, platform), reason="Non", actor=director
    )
    response = client_for("correspondent").post(
        reverse("request_route", args=[routed.pk]),
        {"platforms": [third_platform.pk], "other": platform.pk},
    )
    assert response.status_code == 200  # not among the choices any more
    assert routing_of(routed, platform).status == RoutingStatus.DECLINED


def test_a_taken_request_is_not_routed_any_more(
    client_for, correspondent, routed, platform, director
):
    accepted(routed, platform, director)
    assert (
        client_for("correspondent").get(reverse("request_route", args=[routed.pk])).status_code
        == 403
    )
    with pytest.raises(ServiceError):
        services.request_reroute(firm_request=routed, platforms=[platform], actor=correspondent)


# The platform that took it ----------------------------------------------------------------------


@pytest.fixture
def taken(routed, platform, director):
    accepted(routed, platform, director)
    return fresh(routed)


def test_the_taker_marks_it_in_progress(client_for, taken):
    response = client_for("director").post(reverse("request_start", args=[taken.pk]))
    assert response.status_code == 302
    assert fresh(taken).status == RequestStatus.IN_PROGRESS
    assert events(taken, RequestEventKind.STATUS)[-1].status == RequestStatus.IN_PROGRESS
    response = client_for("director").post(reverse("request_start", args=[taken.pk]), follow=True)
    assert "déjà en cours" in response.content.decode()


def test_another_routed_platform_cannot_handle_a_taken_request(client, taken, third_platform):
    client.force_login(third_platform.memberships.get().user)
    assert client.get(reverse("request_detail", args=[taken.pk])).status_code == 200
    for name in ("request_start", "request_message"):
        assert client.post(reverse(name, args=[taken.pk]), {"text": "x"}).status_code == 403
    assert client.get(reverse("request_close", args=[taken.pk])).status_code == 403


def test_a_message_to_the_firm_is_an_event_and_an_email_with_its_link(
    client_for, taken, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("director").post(
            reverse("request_message", args=[taken.pk]), {"text": "Pouvons-nous passer mardi ?"}
        )
    assert response.status_code == 302
    event = events(taken, RequestEventKind.MESSAGE_PLATFORM)[-1]
    assert event.text == "Pouvons-nous passer mardi ?"
    assert event.platform == taken.taken_by
    [email] = [m for m in mail.outbox if taken.email in m.to]
    assert "Pouvons-nous passer mardi ?" in email.body
    assert request_token(taken) in email.body
    assert SentReminder.objects.filter(rule=services.MESSAGE_RULE).count() == 1


def test_an_empty_message_stays_on_the_page_with_its_error(client_for, taken):
    before = counts()
    response = client_for("director").post(
        reverse("request_message", args=[taken.pk]), {"text": ""}
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert counts() == before


def test_a_long_note_keeps_what_was_typed(client_for, taken):
    text = "x" * (services.TEXT_MAX_LENGTH + 1)
    response = client_for("director").post(reverse("request_note", args=[taken.pk]), {"text": text})
    assert response.status_code == 200
    assert text in response.content.decode()


def test_a_note_is_internal(client_for, taken, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("correspondent").post(
            reverse("request_note", args=[taken.pk]), {"text": "Entreprise déjà cliente"}
        )
    assert events(taken, RequestEventKind.NOTE)[-1].text == "Entreprise déjà cliente"
    assert mail.outbox == []


def test_no_message_once_the_firm_asked_for_deletion(taken, director):
    FirmRequest.objects.filter(pk=taken.pk).update(deletion_requested_at=taken.created_at)
    with pytest.raises(ServiceError, match="effacement"):
        services.request_message(firm_request=taken, text="Bonjour", actor=director)


# Closing ---------------------------------------------------------------------------------------


def test_close_as_done_with_level_outcome_amount_and_project(client_for, taken, platform):
    project = ProjectFactory(lead_platform=platform)
    response = client_for("director").post(
        reverse("request_close", args=[taken.pk]),
        {
            "status": "done",
            "transfer_level": "3",
            "outcome": "Étude de faisabilité livrée",
            "amount_invoiced": "4 500,50",
            "follow_up_project": project.pk,
        },
    )
    assert response.status_code == 302
    row = fresh(taken)
    assert row.status == RequestStatus.DONE
    assert row.transfer_level == TransferLevel.EXPERTISE
    assert str(row.amount_invoiced) == "4500.50"
    assert row.follow_up_project == project
    assert row.closed_at is not None
    assert events(taken, RequestEventKind.STATUS)[-1].status == RequestStatus.DONE
    assert audit(taken, "request.closed").get().amount == row.amount_invoiced


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "done", "outcome": "Fait"}, "transfer_level"),
        ({"status": "done", "transfer_level": "2"}, "outcome"),
        ({"status": "done", "transfer_level": "9", "outcome": "Fait"}, "transfer_level"),
        ({"status": "done", "transfer_level": "x", "outcome": "Fait"}, "transfer_level"),
        (
            {"status": "done", "transfer_level": "1", "outcome": "Fait", "amount_invoiced": "-5"},
            "amount_invoiced",
        ),
        (
            {"status": "done", "transfer_level": "1", "outcome": "Fait", "amount_invoiced": "1e9"},
            "amount_invoiced",
        ),
        (
            {"status": "done", "transfer_level": "1", "outcome": "F", "follow_up_project": "99999"},
            "follow_up_project",
        ),
        ({"status": "declined"}, "reason"),
        ({"status": "reopened"}, "status"),
        ({}, "status"),
    ],
)
def test_close_refusals_come_next_to_the_field(client_for, taken, data, field):
    before = counts()
    response = client_for("director").post(reverse("request_close", args=[taken.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert counts() == before


def test_a_project_the_user_cannot_see_is_not_a_choice(client_for, taken, other_platform):
    foreign_project = ProjectFactory(lead_platform=other_platform)
    form = client_for("director").get(reverse("request_close", args=[taken.pk])).context["form"]
    assert foreign_project not in form.fields["follow_up_project"].queryset


def test_an_untaken_request_is_closed_declined_by_the_correspondent(
    client_for, correspondent, routed
):
    form = (
        client_for("correspondent").get(reverse("request_close", args=[routed.pk])).context["form"]
    )
    assert [value for value, _label in form.fields["status"].choices] == ["declined", "no_answer"]
    response = client_for("correspondent").post(
        reverse("request_close", args=[routed.pk]),
        {"status": "declined", "reason": "Aucune plateforme compétente"},
    )
    assert response.status_code == 302
    assert fresh(routed).status == RequestStatus.DECLINED
    assert events(routed, RequestEventKind.STATUS)[-1].text == "Aucune plateforme compétente"


def test_done_is_refused_for_an_untaken_request(routed, bureau):
    with pytest.raises(ServiceError) as error:
        services.request_close(
            firm_request=routed, status="done", transfer_level=1, outcome="x", actor=bureau
        )
    assert error.value.field == "status"


def test_a_closed_request_is_not_edited_except_by_the_bureau(client_for, taken, director, bureau):
    services.request_close(
        firm_request=taken, status="no_answer", reason="Injoignable", actor=director
    )
    client = client_for("director")
    for name in ("request_close", "request_reopen"):
        assert client.get(reverse(name, args=[taken.pk])).status_code == 403
    for name in ("request_start", "request_message", "request_note"):
        assert client.post(reverse(name, args=[taken.pk]), {"text": "x"}).status_code == 403
    with pytest.raises(ServiceError, match="close"):
        services.request_note(firm_request=taken, text="x", actor=director)
    with pytest.raises(ServiceError):
        services.request_reopen(firm_request=taken, actor=director)
    # The bureau reopens it, logged.
    response = client_for("bureau").post(
        reverse("request_reopen", args=[taken.pk]), {"reason": "L'entreprise a rappelé"}
    )
    assert response.status_code == 302
    row = fresh(taken)
    assert row.status == RequestStatus.IN_PROGRESS and row.closed_at is None
    assert events(taken, RequestEventKind.STATUS)[-1].text == "L'entreprise a rappelé"
    assert audit(taken, "request.reopened").get().actor == bureau


def test_a_reopened_untaken_request_goes_back_to_its_routing(routed, bureau):
    services.request_close(firm_request=routed, status="declined", reason="x", actor=bureau)
    services.request_reopen(firm_request=fresh(routed), actor=bureau)
    assert fresh(routed).status == RequestStatus.ROUTED
    new = FirmRequestFactory(status=RequestStatus.DECLINED)
    services.request_reopen(firm_request=new, actor=bureau)
    assert fresh(new).status == RequestStatus.NEW


# Hostile input ---------------------------------------------------------------------------------


HOSTILE = ["", "0", "-1", "9" * 40, "abc", "<script>alert(1)</script>", "1.5", "\u202e"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_posts_are_never_a_500(client_for, taken, routed, value, correspondent):
    fresh_request = routed_to(staffed("Tierce", "tierce@exemple.fr"))
    posts = [
        (
            "director",
            "request_close",
            taken,
            {
                "status": value,
                "transfer_level": value,
                "amount_invoiced": value,
                "follow_up_project": value,
                "outcome": value,
                "reason": value,
            },
        ),  # noqa: E501
        ("director", "request_message", taken, {"text": value}),
        ("director", "request_note", taken, {"text": value}),
        ("correspondent", "request_route", fresh_request, {"platforms": [value], "other": value}),
        ("bureau", "request_reopen", taken, {"reason": value}),
        ("bureau", "request_accept", taken, {"routing": value}),
    ]
    for role, name, firm_request, data in posts:
        response = client_for(role).post(reverse(name, args=[firm_request.pk]), data)
        assert response.status_code < 500, (name, value)


def test_hostile_answers_are_never_a_500(client_for, platform, third_platform):
    for value in HOSTILE:
        firm_request = routed_to(platform, third_platform)
        for name, data in (
            ("request_accept", {"routing": value}),
            ("request_decline", {"routing": value, "reason": value}),
            ("request_pass", {"routing": value, "platform": value, "reason": value}),
        ):
            response = client_for("director").post(reverse(name, args=[firm_request.pk]), data)
            assert response.status_code < 500, (name, value)


def test_an_inactive_users_platform_is_not_his(client, routed, platform):
    user = UserFactory(is_active=False)
    platform.memberships.create(user=user)
    client.force_login(user)
    assert client.get(reverse("request_detail", args=[routed.pk])).status_code in (302, 404)
