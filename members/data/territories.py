"""Reference data on French territories: regions, former regions, departments.

Plain constants only. Codes are official INSEE codes, kept as strings
(leading zeros and the Corsican "2A"/"2B" codes must be preserved).
"""

# ---------------------------------------------------------------------------
# Regions as of 1 January 2016 (18 regions: 13 metropolitan incl. Corse,
# 5 overseas). Tuples are (insee_code, name).
# ---------------------------------------------------------------------------
REGIONS: list[tuple[str, str]] = [
    # Overseas regions
    ("01", "Guadeloupe"),
    ("02", "Martinique"),
    ("03", "Guyane"),
    ("04", "La Réunion"),
    ("06", "Mayotte"),
    # Metropolitan regions
    ("11", "Île-de-France"),
    ("24", "Centre-Val de Loire"),
    ("27", "Bourgogne-Franche-Comté"),
    ("28", "Normandie"),
    ("32", "Hauts-de-France"),
    ("44", "Grand Est"),
    ("52", "Pays de la Loire"),
    ("53", "Bretagne"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("84", "Auvergne-Rhône-Alpes"),
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("94", "Corse"),
]

# ---------------------------------------------------------------------------
# The 22 metropolitan regions in force until 31 December 2015, with their
# pre-2016 INSEE codes. Tuples are (insee_code, name, successor_insee_code),
# where the successor is the 2016 region that absorbed them. Regions left
# unchanged by the 2016 reform point to their own (identical) current code.
# ---------------------------------------------------------------------------
FORMER_REGIONS: list[tuple[str, str, str]] = [
    ("11", "Île-de-France", "11"),
    ("21", "Champagne-Ardenne", "44"),
    ("22", "Picardie", "32"),
    ("23", "Haute-Normandie", "28"),
    ("24", "Centre", "24"),  # renamed Centre-Val de Loire (same territory)
    ("25", "Basse-Normandie", "28"),
    ("26", "Bourgogne", "27"),
    ("31", "Nord-Pas-de-Calais", "32"),
    ("41", "Lorraine", "44"),
    ("42", "Alsace", "44"),
    ("43", "Franche-Comté", "27"),
    ("52", "Pays de la Loire", "52"),
    ("53", "Bretagne", "53"),
    ("54", "Poitou-Charentes", "75"),
    ("72", "Aquitaine", "75"),
    ("73", "Midi-Pyrénées", "76"),
    ("74", "Limousin", "75"),
    ("82", "Rhône-Alpes", "84"),
    ("83", "Auvergne", "84"),
    ("91", "Languedoc-Roussillon", "76"),
    ("93", "Provence-Alpes-Côte d'Azur", "93"),
    ("94", "Corse", "94"),
]

# ---------------------------------------------------------------------------
# The 101 departments (96 metropolitan + 5 overseas).
# Tuples are (insee_code, name, region_insee_code) with the 2016 region.
# ---------------------------------------------------------------------------
DEPARTMENTS: list[tuple[str, str, str]] = [
    ("01", "Ain", "84"),
    ("02", "Aisne", "32"),
    ("03", "Allier", "84"),
    ("04", "Alpes-de-Haute-Provence", "93"),
    ("05", "Hautes-Alpes", "93"),
    ("06", "Alpes-Maritimes", "93"),
    ("07", "Ardèche", "84"),
    ("08", "Ardennes", "44"),
    ("09", "Ariège", "76"),
    ("10", "Aube", "44"),
    ("11", "Aude", "76"),
    ("12", "Aveyron", "76"),
    ("13", "Bouches-du-Rhône", "93"),
    ("14", "Calvados", "28"),
    ("15", "Cantal", "84"),
    ("16", "Charente", "75"),
    ("17", "Charente-Maritime", "75"),
    ("18", "Cher", "24"),
    ("19", "Corrèze", "75"),
    ("2A", "Corse-du-Sud", "94"),
    ("2B", "Haute-Corse", "94"),
    ("21", "Côte-d'Or", "27"),
    ("22", "Côtes-d'Armor", "53"),
    ("23", "Creuse", "75"),
    ("24", "Dordogne", "75"),
    ("25", "Doubs", "27"),
    ("26", "Drôme", "84"),
    ("27", "Eure", "28"),
    ("28", "Eure-et-Loir", "24"),
    ("29", "Finistère", "53"),
    ("30", "Gard", "76"),
    ("31", "Haute-Garonne", "76"),
    ("32", "Gers", "76"),
    ("33", "Gironde", "75"),
    ("34", "Hérault", "76"),
    ("35", "Ille-et-Vilaine", "53"),
    ("36", "Indre", "24"),
    ("37", "Indre-et-Loire", "24"),
    ("38", "Isère", "84"),
    ("39", "Jura", "27"),
    ("40", "Landes", "75"),
    ("41", "Loir-et-Cher", "24"),
    ("42", "Loire", "84"),
    ("43", "Haute-Loire", "84"),
    ("44", "Loire-Atlantique", "52"),
    ("45", "Loiret", "24"),
    ("46", "Lot", "76"),
    ("47", "Lot-et-Garonne", "75"),
    ("48", "Lozère", "76"),
    ("49", "Maine-et-Loire", "52"),
    ("50", "Manche", "28"),
    ("51", "Marne", "44"),
    ("52", "Haute-Marne", "44"),
    ("53", "Mayenne", "52"),
    ("54", "Meurthe-et-Moselle", "44"),
    ("55", "Meuse", "44"),
    ("56", "Morbihan", "53"),
    ("57", "Moselle", "44"),
    ("58", "Nièvre", "27"),
    ("59", "Nord", "32"),
    ("60", "Oise", "32"),
    ("61", "Orne", "28"),
    ("62", "Pas-de-Calais", "32"),
    ("63", "Puy-de-Dôme", "84"),
    ("64", "Pyrénées-Atlantiques", "75"),
    ("65", "Hautes-Pyrénées", "76"),
    ("66", "Pyrénées-Orientales", "76"),
    ("67", "Bas-Rhin", "44"),
    ("68", "Haut-Rhin", "44"),
    ("69", "Rhône", "84"),
    ("70", "Haute-Saône", "27"),
    ("71", "Saône-et-Loire", "27"),
    ("72", "Sarthe", "52"),
    ("73", "Savoie", "84"),
    ("74", "Haute-Savoie", "84"),
    ("75", "Paris", "11"),
    ("76", "Seine-Maritime", "28"),
    ("77", "Seine-et-Marne", "11"),
    ("78", "Yvelines", "11"),
    ("79", "Deux-Sèvres", "75"),
    ("80", "Somme", "32"),
    ("81", "Tarn", "76"),
    ("82", "Tarn-et-Garonne", "76"),
    ("83", "Var", "93"),
    ("84", "Vaucluse", "93"),
    ("85", "Vendée", "52"),
    ("86", "Vienne", "75"),
    ("87", "Haute-Vienne", "75"),
    ("88", "Vosges", "44"),
    ("89", "Yonne", "27"),
    ("90", "Territoire de Belfort", "27"),
    ("91", "Essonne", "11"),
    ("92", "Hauts-de-Seine", "11"),
    ("93", "Seine-Saint-Denis", "11"),
    ("94", "Val-de-Marne", "11"),
    ("95", "Val-d'Oise", "11"),
    # Overseas departments (each is also a single-department region)
    ("971", "Guadeloupe", "01"),
    ("972", "Martinique", "02"),
    ("973", "Guyane", "03"),
    ("974", "La Réunion", "04"),
    ("976", "Mayotte", "06"),
]

# ---------------------------------------------------------------------------
# Tile-map layout: 2016 region code -> (column, row), one square per region.
# Column 0 is the west edge, row 0 the north edge. Layout (metropolitan):
#
#   row 0:            HdF
#   row 1:       Nor  IdF  GE
#   row 2:  Bre  PdL  CVL  BFC
#   row 3:       NAq  ARA
#   row 4:            Occ  PACA
#   row 5:                       Cor
#   row 6:  GP   MQ   GF   RE   YT     (overseas, in code order)
# ---------------------------------------------------------------------------
TILE_GRID: dict[str, tuple[int, int]] = {
    # Metropolitan regions
    "32": (2, 0),  # Hauts-de-France
    "28": (1, 1),  # Normandie
    "11": (2, 1),  # Île-de-France
    "44": (3, 1),  # Grand Est
    "53": (0, 2),  # Bretagne
    "52": (1, 2),  # Pays de la Loire
    "24": (2, 2),  # Centre-Val de Loire
    "27": (3, 2),  # Bourgogne-Franche-Comté
    "75": (1, 3),  # Nouvelle-Aquitaine
    "84": (2, 3),  # Auvergne-Rhône-Alpes
    "76": (2, 4),  # Occitanie
    "93": (3, 4),  # Provence-Alpes-Côte d'Azur
    "94": (4, 5),  # Corse
    # Overseas regions: separate bottom row, in code order
    "01": (0, 6),  # Guadeloupe
    "02": (1, 6),  # Martinique
    "03": (2, 6),  # Guyane
    "04": (3, 6),  # La Réunion
    "06": (4, 6),  # Mayotte
}
