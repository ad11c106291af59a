"""Distributions of the scale data: who the people are and what happens to them."""

from __future__ import annotations

# Monthly weight of each program's events while it runs; PAO and SALUD serve adults (and the
# children who come with them), BALON the youth of the sport program.
PROGRAM_WEIGHTS = {"PAO": 0.45, "SALUD": 0.20, "BALON": 0.35}
ADULT_PROGRAMS = ("PAO", "SALUD")
YOUTH_PROGRAMS = ("BALON",)
YOUTH_SHARE = 0.25  # of the people registered in a month where both pools are active
YOUTH_PER_GROUP_MONTH = 30  # new youth per sport group and month: sets the number of groups

NATIONALITIES = [("VE", 70), ("PE", 12), ("CO", 8), ("EC", 5), ("BO", 1.5), ("CL", 1), ("HT", 1)]
NATIONALITIES += [("CU", 1), ("AR", 0.5)]
POPULATION_FOREIGN = [("destination", 62), ("transit", 18), ("pendular", 14)]
POPULATION_FOREIGN += [("host", 6)]  # settled long ago, counted with the host community
POPULATION_PERUVIAN = [("host", 70), ("returnee", 30)]
SWITCH_SHARE = 0.10  # people whose population type changes some months after registering
# Ages at registration (adult pool: adults and the children who come with them).
ADULT_AGES = [((0, 4), 9), ((5, 11), 6), ((12, 17), 5), ((18, 29), 30), ((30, 59), 44), ((60, 85), 6)]
NO_BIRTH_DATE = {"adult": 0.03, "youth": 0.005}
FEB_29_EVERY = 500  # one person in 500 was born on 29 February
SEX_ADULT = [("F", 58), ("M", 41), ("X", 1)]
SEX_YOUTH = [("F", 48), ("M", 51.5), ("X", 0.5)]

DIRECT_AREAS = {
    "PAO": [("documentation", 40), ("primary_care", 20), ("psychosocial", 20), ("protection", 20)],
    "SALUD": [("primary_care", 65), ("psychosocial", 35)],
}
REFERRAL_SHARE = {"PAO": 0.25, "SALUD": 0.10}
REFERRAL_AREAS = {
    "PAO": [("documentation", 30), ("primary_care", 30), ("psychosocial", 20), ("protection", 20)],
    "SALUD": [("primary_care", 60), ("psychosocial", 40)],
}
REFERRAL_STATUS = [("pending", 8), ("accepted", 7), ("completed", 55), ("declined", 10)]
REFERRAL_STATUS += [("no_show", 10), ("cancelled", 10)]
ACTIVITIES = [("soccer_clinic", 70), ("leadership_workshop", 20), ("community_activity", 10)]
PRESENT = 0.85
GROUP_KINDS = [("Sub-10", 6, 10), ("Sub-14", 11, 14), ("Sub-16", 13, 16)]

GIVEN_F = (
    "María|Yusmary|Andreína|Daniela|Génesis|Rosa|Lucía|Valentina|Ana Karina|Mariángel|Yelitza|Carmen|"
    "Sofía|Camila|Milagros|Luz|María José|María Fernanda|Yuleisy|Yohana|Dayana|Oriana|Yorgelis|Nathaly|"
    "Rosmery|Keila|Yessica|Yenny|Marbelis|Karla|Gabriela|Isabel|Paola|Andrea|Lisbeth|Yaneth|Emily|"
    "Victoria|Antonella|Fiorella|Ximena|Jimena|Kiara|Nayeli|Rocío|Flor|Elena|Juana|Teresa|Gladys|"
    "Patricia|Angélica|Dulce|Mayerlin|Wendy|Zuleima|Johana|Maite|Luisa|Ariana|Samantha|Abril|Luciana"
).split("|")
GIVEN_M = (
    "José|Luis|Jesús|Carlos|Yorman|Daniel|Miguel Ángel|Anderson|Jhonny|Pedro|Juan|Samuel|Diego|Ángel|"
    "Kevin|Renzo|José Gregorio|Luis Alberto|Jean Carlos|Wilmer|Yonathan|Freddy|Richard|Eduardo|Alexander|"
    "Leonardo|Gustavo|Javier|Rafael|Ramón|Víctor|Omar|Edgar|Franklin|Héctor|Jhon|Brayan|Santiago|"
    "Mateo|Sebastián|Thiago|Dylan|Alonso|Fabricio|Gael|Joaquín|Rodrigo|César|Julio|Hugo|Manuel|"
    "Andrés|Felipe|Nicolás|Emanuel|Wilfredo|Orlando|Néstor|Alí|Yeferson|Deivis|Maikel|Adrián"
).split("|")
FAMILY = (
    "González|Rodríguez|Pérez|Hernández|García|Martínez|López|Ramírez|Díaz|Rojas|Quispe|Mamani|Flores|"
    "Sánchez|Torres|Castillo|Mendoza|Vásquez|Gutiérrez|Chávez|Núñez|Medina|Silva|Paredes|Romero|Suárez|"
    "Morales|Ortiz|Álvarez|Contreras|Marcano|Rivas|Briceño|Colmenares|Guerrero|Carrasco|Salazar|Acosta|"
    "Blanco|Bolívar|Villegas|Zambrano|Peña|Aponte|Linares|Matos|Parra|Bermúdez|Figueroa|Rangel|Montilla|"
    "Lugo|Fuentes|Cordero|Pacheco|Herrera|Jiménez|Ruiz|Vargas|Ramos|Cruz|Reyes|Aguilar|Gómez|Castro|"
    "Huamán|Condori|Ccama|Choque|Apaza|Huanca|Ticona|Cárdenas|Espinoza|Salas|Vílchez|Ortega|Ibáñez|"
    "Córdova|Tapia|Valdivia|Palomino|Cáceres|Zevallos|Benítez|Molina|Navarro|Delgado|Cabrera|Campos|"
    "Rincón|Márquez|Arias|Osorio|Cardona|Valencia|Montoya|Ospina|Zapata|Velásquez|Mejía|Quintero|Franco|"
    "Cedeño|Andrade|Vera|Macías|Intriago|Zambrano|Solórzano|Yépez|Arteaga|Chirinos|Leal|Rondón|Tovar"
).split("|")
# Spanish surnames come in pairs; common pairs repeat, so a name search finds homonyms as it would.

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # services.codes: Crockford base32 without I, L, O, U
_CODE_MULT = 0x9E3779B1  # odd, so id -> code is a bijection on 40 bits: slip codes never collide


def referral_code(n: int) -> str:
    """A unique slip code for the n-th generated referral, shaped like ``R-7KQ2-M9XD``."""
    x = (n * _CODE_MULT + 0x5A5A5A5A5) & ((1 << 40) - 1)
    chars = [ALPHABET[(x >> (5 * i)) & 31] for i in range(8)]
    return f"R-{''.join(chars[:4])}-{''.join(chars[4:])}"


def _table(pairs, size: int = 1000) -> list:
    """A lookup list where each value fills a share of ``size`` slots by its weight: fast choice."""
    total = sum(weight for _value, weight in pairs)
    out: list = []
    for value, weight in pairs:
        out.extend([value] * round(size * weight / total))
    return out


def _normalize(text: str) -> str:
    from cases.models import normalize_text

    return normalize_text(text)
