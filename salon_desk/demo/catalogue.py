"""The demo salon's fixed facts: its name and hours, staff, services, and the names customers have."""

from __future__ import annotations

# (name_ar, name_en, category, minutes, buffer, price SAR, phases [(minutes, stylist busy)]). Categories are the
# standard keys of domain.catalogue.STANDARD_CATEGORIES, shown as الشعر / Hair, الأظافر / Nails,
# الوجه والمكياج / Face and makeup, العناية بالجسم / Body care.
SERVICES = [
    ("قص شعر", "Haircut", "hair", 45, 10, 120, []),
    ("سشوار", "Blow-dry", "hair", 30, 5, 80, []),
    ("صبغة", "Hair colour", "hair", 90, 10, 350, [(30, True), (40, False), (20, True)]),
    ("هايلايت", "Highlights", "hair", 120, 10, 450, [(45, True), (45, False), (30, True)]),
    ("بروتين", "Protein treatment", "hair", 150, 15, 650, [(40, True), (80, False), (30, True)]),
    ("تسريحة", "Styling", "hair", 60, 10, 250, []),
    ("حمام مغربي", "Moroccan bath", "body", 90, 15, 300, []),
    ("مانيكير", "Manicure", "nails", 45, 5, 90, []),
    ("باديكير", "Pedicure", "nails", 60, 5, 120, []),
    ("رموش", "Lash extensions", "face", 90, 10, 300, []),
    ("حواجب", "Eyebrow threading", "face", 15, 5, 35, []),
    ("تنظيف بشرة", "Facial", "face", 60, 10, 200, []),
    ("مكياج", "Makeup", "face", 60, 10, 350, []),
    ("مكياج عروس", "Bridal makeup", "face", 120, 15, 1500, []),
    ("حناء", "Henna", "body", 60, 10, 150, []),
    ("واكس", "Waxing", "body", 30, 10, 100, []),
]

# Services a customer may have at the same time as each other (a manicure beside a pedicure).
ALONGSIDE = frozenset({"Manicure", "Pedicure"})

# (name_ar, name_en, title, skills (service categories), colour from the staff palette, ui/staff/swatches.py)
STAFF = [
    ("نورة", "Noura", "Senior stylist", {"hair"}, "#6A4FB3"),
    ("سارة", "Sara", "Stylist", {"hair"}, "#2F6FB0"),
    ("ريم", "Reem", "Colour specialist", {"hair"}, "#B0406C"),
    ("هيفاء", "Haifa", "Nail technician", {"nails"}, "#A35F12"),
    ("لمى", "Lama", "Beautician", {"face", "body"}, "#1F7F74"),
    ("جود", "Joud", "Makeup artist", {"face"}, "#A5452F"),
    ("منيرة", "Munira", "Stylist", {"hair", "body"}, "#4F7127"),
    ("دانة", "Dana", "Nail technician", {"nails", "body"}, "#7A4F3A"),
]

# The job titles in Arabic (issue #10: titles show in the UI language).
TITLES_AR = {
    "Senior stylist": "مصففة أولى",
    "Stylist": "مصففة",
    "Colour specialist": "أخصائية صبغات",
    "Nail technician": "فنية أظافر",
    "Beautician": "خبيرة تجميل",
    "Makeup artist": "خبيرة مكياج",
}

FIRST_NAMES = [
    ("نورة", "Noura"), ("سارة", "Sara"), ("فاطمة", "Fatimah"), ("مريم", "Maryam"), ("ريم", "Reem"),
    ("هند", "Hind"), ("لمى", "Lama"), ("جود", "Joud"), ("العنود", "Alanoud"), ("منيرة", "Munira"),
    ("دانة", "Dana"), ("شهد", "Shahad"), ("رهف", "Rahaf"), ("غادة", "Ghada"), ("أمل", "Amal"), ("هيفاء", "Haifa"),
    ("لطيفة", "Latifa"), ("عبير", "Abeer"), ("وعد", "Waad"), ("بشاير", "Bashayer"), ("ندى", "Nada"),
    ("أسماء", "Asma"), ("خلود", "Kholoud"), ("روان", "Rawan"), ("ليان", "Layan"), ("جواهر", "Jawaher"),
    ("مشاعل", "Mashael"), ("الجوهرة", "Aljohara"), ("رزان", "Razan"), ("تالا", "Tala"),
]
FAMILY_NAMES = [
    ("القحطاني", "Alqahtani"), ("العتيبي", "Alotaibi"), ("الشمري", "Alshammari"), ("الدوسري", "Aldosari"),
    ("الغامدي", "Alghamdi"), ("الزهراني", "Alzahrani"), ("الحربي", "Alharbi"), ("المطيري", "Almutairi"),
    ("السبيعي", "Alsubaie"), ("العنزي", "Alanazi"), ("الشهري", "Alshehri"), ("الرشيدي", "Alrashidi"),
    ("السهلي", "Alsahli"), ("البقمي", "Albaqami"), ("التميمي", "Altamimi"), ("الخالدي", "Alkhalidi"),
]
EXPAT_NAMES = ["Maria Santos", "Aisha Khan", "Emily Clarke", "Fatima Noor", "Priya Nair", "Sofia Rossi",
               "Hana Yamamoto", "Leila Haddad", "Grace Okafor", "Olivia Brown"]
EXPAT_FAMILY_NAMES = ["Santos", "Khan", "Clarke", "Noor", "Nair", "Rossi", "Yamamoto", "Haddad", "Okafor", "Brown",
                      "Reyes", "Malik", "Dubois", "Hassan", "Smith", "Ahmed", "Kowalski", "Chen", "Farouk", "Garcia"]

CANCEL_REASONS = ["ظرف طارئ", "Customer travelling", "تغيير الموعد", "Feeling unwell"]
