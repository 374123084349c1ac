import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import EmailStatus, ReportEdition, ReportStatus, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.BUREAU)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person of the network. The email is the login; there is no username."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.DIRECTOR)
    is_staff = models.BooleanField(
        _("administrateur du site"),
        default=False,
        help_text=_("Peut se connecter à l'administration Django."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("Un compte existe déjà avec cette adresse."),
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def save(self, *args, **kwargs):
        # Emails are logins: always stored in lower case.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_bureau(self):
        return self.role == Role.BUREAU

    @property
    def is_ministry(self):
        return self.role == Role.MINISTRY

    @property
    def is_director(self):
        return self.role == Role.DIRECTOR


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def for_list(self):
        return self.select_related("invited_by", "accepted_by", "platform")


class Invitation(models.Model):
    """The bureau invites a person by email, with a role. Used once, expires.

    Only a hash of the token is stored: the link in the email is the only copy.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        EXPIRED = "expired", _("Expirée")
        REVOKED = "revoked", _("Révoquée")

    email = models.EmailField(_("adresse e-mail"))
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token is derived from this salt and SECRET_KEY, so the worker that sends the
    # email can rebuild the link from the database row; the database alone cannot.
    token_salt = models.CharField(max_length=32, blank=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="invitations_sent",
        verbose_name=_("invité par"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("compte créé"),
    )
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    # A director or staff member is invited for a platform: accepting links them to it.
    platform = models.ForeignKey(
        "members.Platform",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("plateforme"),
    )
    platform_role = models.CharField(_("rôle dans la plateforme"), max_length=20, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    @staticmethod
    def new_token() -> tuple[str, str]:
        """A random token and its hash (for invitations made outside the services)."""
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @staticmethod
    def token_from_salt(salt: str) -> str:
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"invitation:{salt}".encode(), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def set_new_token(self) -> str:
        """A fresh link: a new salt, its token and the token's hash; returns the token."""
        self.token_salt = secrets.token_hex(16)
        token = self.token_from_salt(self.token_salt)
        self.token_hash = _hash_token(token)
        return token

    @property
    def token(self) -> str:
        """The current link's token (rebuilt from the salt); empty for old rows."""
        return self.token_from_salt(self.token_salt) if self.token_salt else ""

    @classmethod
    def find_by_token(cls, token: str):
        return cls.objects.filter(token_hash=_hash_token(token)).first()

    @property
    def status(self):
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self):
        return self.Status(self.status).label


class SentReminderQuerySet(models.QuerySet):
    def for_target(self, target: str):
        return self.filter(target=target)

    def unsent(self):
        return self.filter(
            status__in=[EmailStatus.PENDING, EmailStatus.FAILED, EmailStatus.SENDING]
        )


class SentReminder(models.Model):
    """The outbox: one row per reminder or notification email, written *before* it is sent.

    The unique (rule, target, period) makes every email idempotent: a task that runs
    twice, or two workers that run at once, find the row and send nothing. The row is
    committed first (status pending), then claimed and sent outside any transaction,
    then marked sent or failed; what failed, or could not be enqueued because the
    broker was down, is sent by the next run of ``send_reminders``.
    """

    rule = models.CharField(_("règle"), max_length=60)
    target = models.CharField(_("objet"), max_length=120, help_text=_("app.modèle:pk"))
    period = models.CharField(_("période"), max_length=60, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    recipients = models.TextField(_("destinataires"), blank=True)
    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyé à la main par"),
    )

    objects = SentReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail envoyé")
        verbose_name_plural = _("e-mails envoyés")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "target", "period"],
                name="sentreminder_one_per_rule_target_period",
                violation_error_message=_("Cet e-mail est déjà enregistré."),
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="sentreminder_status_idx"),
            models.Index(fields=["target"], name="sentreminder_target_idx"),
        ]

    def __str__(self):
        return f"{self.rule} {self.target} {self.period}".strip()


class AuditEntryQuerySet(models.QuerySet):
    def for_scope(self, obj_or_key):
        from .audit import key_of

        return self.filter(scope=key_of(obj_or_key)).select_related("actor")


class AuditEntry(models.Model):
    """One history for the whole portal: who did what to which object, when.

    Written by services only (``innovalo.audit.log_action``), never edited. ``target``
    is the object changed and ``scope`` the page it shows on (a minutes item shows on
    its meeting), both as "app_label.model:pk".
    """

    created_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    action = models.CharField(_("action"), max_length=60)
    target = models.CharField(_("objet"), max_length=120)
    scope = models.CharField(_("page"), max_length=120)
    object_repr = models.CharField(_("désignation"), max_length=255, blank=True)
    message = models.CharField(_("message"), max_length=255, blank=True)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    amount = models.DecimalField(
        _("montant"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée d'historique")
        verbose_name_plural = _("historique")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["scope", "-created_at"], name="auditentry_scope_idx"),
            models.Index(fields=["target", "-created_at"], name="auditentry_target_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class NationalReport(models.Model):
    """The annual national report (PDF) of a year in one edition, prepared by a task
    (``innovalo.tasks.prepare_national_report``) when the bureau or the ministry asks
    for it, and served as stored while the figures it was drawn from are current:
    ``generation`` is the dashboard's figures' generation (``innovalo.dashboard.cache``)
    when it was asked for (pending) or drawn (ready). One row per year and edition,
    prepared again when the figures have moved on."""

    year = models.PositiveSmallIntegerField(_("année"))
    edition = models.CharField(_("édition"), max_length=10, choices=ReportEdition.choices)
    status = models.CharField(
        _("état"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    generation = models.CharField(_("génération des chiffres"), max_length=64)
    content = models.BinaryField(_("PDF"), default=bytes, editable=False)
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    created_at = models.DateTimeField(_("produit le"), null=True, blank=True)
    seconds = models.FloatField(_("durée (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("rapport national")
        verbose_name_plural = _("rapports nationaux")
        ordering = ["-year", "edition", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "edition"],
                name="nationalreport_one_per_year_edition",
                violation_error_message=_("Ce rapport existe déjà."),
            )
        ]

    def __str__(self):
        return f"{self.year} {self.edition} {self.status}"

    def is_current(self, generation: str) -> bool:
        return self.status == ReportStatus.READY and self.generation == generation
