"""The demo questionnaires, as data: the yearly impact survey of the platforms (the
label's indicators: young people, SMEs, territory, means) and the InnovENT-E
questionnaire to SMEs. ``build`` writes one through the services, so that codes,
conditions and history are what the bureau's editor would have made.

A question is a dict: code, label, type and, as needed, help_text, required, unit,
min_value, max_value, is_ministry_indicator, choices [(code, label)], show_if
(question code, choice code), rows and columns [(code, label)].
"""

from ..enums import QuestionType as T
from ..services import question_create, section_create

YES_NO_CHOICES = [("oui", "Oui"), ("non", "Non")]
COMPANY_SIZES = [("tpe", "TPE"), ("pme", "PME"), ("eti", "ETI")]
SECTORS = [
    ("industrie", "Industrie"),
    ("btp", "BTP"),
    ("services", "Services"),
    ("agriculture", "Agriculture"),
]
PARTNERS = [
    ("region", "Région"),
    ("cci", "CCI"),
    ("pole", "Pôle de compétitivité"),
    ("agence", "Agence de développement économique"),
    ("cluster", "Cluster ou grappe d'entreprises"),
]

IMPACT_SECTIONS = [
    (
        "Jeunes (étudiants et apprentis)",
        "Les élèves, étudiants et apprentis de l'établissement associés aux travaux "
        "de la plateforme pour des entreprises.",
        [
            {
                "code": "etudiants_projets",
                "label": "Étudiants et élèves impliqués dans des projets avec des entreprises",
                "type": T.INTEGER,
                "help_text": "Projets tutorés, stages, projets de BTS ou de licence pro.",
                "required": True,
                "min_value": 0,
                "max_value": 5000,
                "is_ministry_indicator": True,
            },
            {
                "code": "accueille_apprentis",
                "label": "La plateforme accueille-t-elle des apprentis ?",
                "type": T.SINGLE_CHOICE,
                "required": True,
                "choices": YES_NO_CHOICES,
            },
            {
                "code": "apprentis",
                "label": "Si oui, combien d'apprentis ?",
                "type": T.INTEGER,
                "min_value": 1,
                "max_value": 500,
                "is_ministry_indicator": True,
                "show_if": ("accueille_apprentis", "oui"),
            },
            {
                "code": "stages",
                "label": "Stages en entreprise encadrés par la plateforme",
                "type": T.INTEGER,
                "min_value": 0,
            },
        ],
    ),
    (
        "PME",
        "Les entreprises servies pendant l'année civile écoulée.",
        [
            {
                "code": "pme_servies",
                "label": "PME servies",
                "type": T.INTEGER,
                "help_text": "Chaque entreprise compte une fois, quel que soit le nombre de "
                "prestations.",
                "required": True,
                "min_value": 0,
                "max_value": 10000,
                "is_ministry_indicator": True,
            },
            {
                "code": "pme_taille_secteur",
                "label": "Entreprises servies par taille et par secteur",
                "type": T.NUMBER_TABLE,
                "help_text": "TPE : moins de 10 salariés ; PME : moins de 250 ; ETI : moins "
                "de 5 000.",
                "min_value": 0,
                "rows": COMPANY_SIZES,
                "columns": SECTORS,
                "is_ministry_indicator": True,
            },
            {
                "code": "prestations",
                "label": "Prestations réalisées (essais, prototypes, études, conseil)",
                "type": T.INTEGER,
                "required": True,
                "min_value": 0,
                "is_ministry_indicator": True,
            },
            {
                "code": "ca_prestations",
                "label": "Chiffre d'affaires des prestations",
                "type": T.MONEY,
                "help_text": "Hors taxes, facturé pendant l'année.",
                "required": True,
                "min_value": 0,
                "is_ministry_indicator": True,
            },
            {
                "code": "heures_formation",
                "label": "Heures de formation dispensées aux salariés des entreprises",
                "type": T.INTEGER,
                "unit": "heures",
                "min_value": 0,
            },
            {
                "code": "satisfaction",
                "label": "Satisfaction des entreprises servies (de 1 à 5)",
                "type": T.SCALE,
                "help_text": "D'après vos questionnaires de fin de prestation.",
            },
        ],
    ),
    (
        "Territoire",
        "La place de la plateforme dans l'économie de sa région.",
        [
            {
                "code": "emplois_crees",
                "label": "Emplois créés ou maintenus dans les entreprises accompagnées",
                "type": T.INTEGER,
                "min_value": 0,
                "is_ministry_indicator": True,
            },
            {
                "code": "part_pme_region",
                "label": "Part des entreprises servies situées dans la région",
                "type": T.PERCENTAGE,
                "unit": "%",
            },
            {
                "code": "partenariats",
                "label": "Partenariats régionaux",
                "type": T.MULTIPLE_CHOICE,
                "help_text": "Conventions ou actions communes pendant l'année.",
                "choices": PARTNERS,
                "is_ministry_indicator": True,
            },
        ],
    ),
    (
        "Moyens",
        "Les moyens humains et matériels de la plateforme.",
        [
            {
                "code": "effectif",
                "label": "Personnel de la plateforme",
                "type": T.DECIMAL,
                "unit": "ETP",
                "help_text": "En équivalents temps plein, enseignants et techniciens compris.",
                "required": True,
                "min_value": 0,
                "max_value": 500,
            },
            {
                "code": "investissement",
                "label": "Équipements investis dans l'année",
                "type": T.MONEY,
                "min_value": 0,
            },
            {
                "code": "demarche_qualite",
                "label": "La plateforme a-t-elle une démarche qualité (ISO 9001, ISO 17025) ?",
                "type": T.YES_NO,
            },
            {
                "code": "date_comite",
                "label": "Date du dernier comité de pilotage",
                "type": T.DATE,
            },
            {
                "code": "contact",
                "label": "Personne à contacter au sujet de cette réponse",
                "type": T.SHORT_TEXT,
            },
            {
                "code": "faits_marquants",
                "label": "Faits marquants de l'année",
                "type": T.LONG_TEXT,
                "help_text": "Un projet, un nouvel équipement, un partenariat : quelques lignes.",
            },
        ],
    ),
]

# Added in 2017: new optional questions remain possible once a campaign is copied.
NEW_IN_2017 = (
    "PME",
    {
        "code": "pme_nouvelles",
        "label": "Dont entreprises servies pour la première fois",
        "type": T.INTEGER,
        "min_value": 0,
    },
)

INNOVENTE_SECTIONS = [
    (
        "Votre entreprise",
        "",
        [
            {
                "code": "taille",
                "label": "Effectif de votre entreprise",
                "type": T.SINGLE_CHOICE,
                "required": True,
                "choices": [
                    ("tpe", "Moins de 10 salariés"),
                    ("pe", "10 à 49 salariés"),
                    ("me", "50 à 249 salariés"),
                    ("eti", "250 salariés et plus"),
                ],
            },
            {
                "code": "secteur",
                "label": "Secteur d'activité",
                "type": T.SINGLE_CHOICE,
                "required": True,
                "choices": SECTORS,
            },
        ],
    ),
    (
        "Innovation et marchés",
        "",
        [
            {
                "code": "innove",
                "label": "Votre entreprise a-t-elle innové au cours des trois dernières années ?",
                "type": T.SINGLE_CHOICE,
                "help_text": "Un nouveau produit, un nouveau procédé ou une nouvelle organisation.",
                "required": True,
                "choices": YES_NO_CHOICES,
                "is_ministry_indicator": True,
            },
            {
                "code": "exporte",
                "label": "Votre entreprise vend-elle à l'étranger ?",
                "type": T.SINGLE_CHOICE,
                "required": True,
                "choices": YES_NO_CHOICES,
                "is_ministry_indicator": True,
            },
            {
                "code": "part_export",
                "label": "Si oui, part du chiffre d'affaires réalisée à l'export",
                "type": T.PERCENTAGE,
                "unit": "%",
                "show_if": ("exporte", "oui"),
            },
            {
                "code": "freins",
                "label": "Qu'est-ce qui freine vos projets d'innovation ?",
                "type": T.MULTIPLE_CHOICE,
                "choices": [
                    ("financement", "Le financement"),
                    ("competences", "Les compétences"),
                    ("temps", "Le temps"),
                    ("equipements", "L'accès à des équipements"),
                    ("partenaires", "Trouver des partenaires"),
                ],
            },
        ],
    ),
    (
        "Les plateformes technologiques",
        "",
        [
            {
                "code": "connait_pft",
                "label": "Connaissiez-vous les plateformes technologiques avant le tour ?",
                "type": T.YES_NO,
            },
            {
                "code": "besoins",
                "label": "En quoi une plateforme pourrait-elle vous aider ?",
                "type": T.MULTIPLE_CHOICE,
                "choices": [
                    ("essais", "Essais et mesures"),
                    ("prototypage", "Prototypage"),
                    ("formation", "Formation de vos salariés"),
                    ("conseil", "Conseil technologique"),
                    ("recrutement", "Recruter des apprentis ou des stagiaires"),
                ],
            },
            {
                "code": "interet",
                "label": "Votre intérêt pour un rendez-vous avec une plateforme (de 1 à 5)",
                "type": T.SCALE,
            },
            {
                "code": "commentaire",
                "label": "Un commentaire, une attente ?",
                "type": T.LONG_TEXT,
            },
        ],
    ),
]


def _axis(pairs):
    return [{"code": code, "label": label} for code, label in pairs]


def add_question(campaign, section, spec, actor, questions=None):
    """One question of ``spec`` (and its choices) in ``section``; ``questions`` ({code:
    question}) holds the earlier ones, for a condition."""
    spec = dict(spec)
    choices = spec.pop("choices", ())
    show_if = spec.pop("show_if", None)
    for axis in ("rows", "columns"):
        if axis in spec:
            spec[axis] = _axis(spec[axis])
    if show_if:
        spec["show_if_question"] = (questions or {})[show_if[0]]
        spec["show_if_choice_code"] = show_if[1]
    return question_create(section=section, actor=actor, choices=choices or None, **spec)


def build(campaign, sections, actor) -> dict:
    """Write ``sections`` into ``campaign`` through the services; {code: question}."""
    questions = {}
    for title, description, specs in sections:
        section = section_create(
            campaign=campaign, title=title, description=description, actor=actor
        )
        for spec in specs:
            questions[spec["code"]] = add_question(campaign, section, spec, actor, questions)
    return questions
