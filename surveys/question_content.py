"""The first question sets, written from the charter's principles (children have a right to
feel safe and to be heard; partnership with pupils, parents, staff and governors). They are
loaded as version 1 of each audience's set by migration 0002 and then belong to the
council: officers change them by drafting a new version, never by editing this file.

Each question: (code, text, kind, choices, positive). `code` is the same across the age
versions, so a school's results compare across them; `positive` lists the choices counted
in the headline figure ("feel safe": yes or mostly). Every question also offers
"I'd rather not say" (added when loaded) and can be skipped.

The forms and prejudice-related categories are the ones incident records use.
"""

RATHER_NOT_SAY = "I'd rather not say"

SINGLE, MULTIPLE = "single", "multiple"

# 5-7: three faces that read aloud as words.
FACES = ["Yes", "Sometimes", "No"]
FACES_NEGATIVE = ["No", "Sometimes", "Yes"]  # for "has anyone been unkind": "No" is the happy face
OFTEN_7 = ["Always", "Most of the time", "Sometimes", "Never"]
AGREE = ["Strongly agree", "Agree", "Disagree", "Strongly disagree"]
YES_NO = ["Yes", "No", "Not sure"]

FORMS = [
    "Hitting, kicking or pushing",
    "Name-calling or nasty words",
    "Being left out or talked about",
    "Online, on a phone or games",
    "Touching or comments about my body",
    "My things taken or broken",
]
FORMS_YOUNG = ["Hitting or pushing", "Nasty words", "Being left out", "On a phone or tablet"]
CATEGORIES = [
    "My skin colour or where my family is from",
    "My religion or beliefs",
    "A disability or needing extra help",
    "Who I fancy or might fancy (sexual orientation)",
    "My gender identity",
    "Being a girl or a boy (sexism)",
    "How I look",
    "Being in care or looking after someone at home",
    "Something else about who I am",
]

PUPILS_5_7 = [
    ("safe_school", "Do you feel safe at school?", SINGLE, FACES, [0]),
    ("safe_journey", "Do you feel safe coming to school?", SINGLE, FACES, [0]),
    ("safe_online", "Do you feel safe on a tablet or phone?", SINGLE, FACES, [0]),
    ("bullied_term", "Has someone been unkind to you again and again this term?", SINGLE, FACES_NEGATIVE, [0]),
    ("bullied_how", "What did they do? Pick all that happened.", MULTIPLE, FORMS_YOUNG, []),
    ("know_who_to_tell", "Do you know a grown-up you can tell?", SINGLE, FACES, [0]),
    ("told_someone", "If it happened, did you tell a grown-up?", SINGLE, FACES, [0]),
    ("adults_acted", "Did the grown-up help?", SINGLE, FACES, [0]),
    ("heard", "Do grown-ups listen to you about being kind?", SINGLE, FACES, [0]),
    ("belong", "Do you feel happy to be in your class?", SINGLE, FACES, [0]),
    ("be_myself", "Can you be yourself at school?", SINGLE, FACES, [0]),
]

PUPILS_7_11 = [
    ("safe_school", "I feel safe at school.", SINGLE, OFTEN_7, [0, 1]),
    ("safe_journey", "I feel safe on my way to and from school.", SINGLE, OFTEN_7, [0, 1]),
    ("safe_online", "I feel safe online, on phones, tablets and games.", SINGLE, OFTEN_7, [0, 1]),
    ("bullied_term", "Have you been bullied this term (hurt on purpose, again and again)?", SINGLE, YES_NO, [1]),
    ("bullied_how", "If you were bullied, how? Pick all that happened.", MULTIPLE, FORMS, []),
    ("bullied_why", "Was it about any of these? Pick all that fit.", MULTIPLE, CATEGORIES, []),
    ("know_who_to_tell", "I know who to tell if I am bullied.", SINGLE, OFTEN_7, [0, 1]),
    ("told_someone", "If you were bullied, did you tell an adult?", SINGLE, YES_NO, [0]),
    ("adults_acted", "If you told an adult, did they do something about it?", SINGLE, YES_NO, [0]),
    ("heard", "Adults at school ask what I think about bullying and listen.", SINGLE, OFTEN_7, [0, 1]),
    ("belong", "I feel I belong at my school.", SINGLE, OFTEN_7, [0, 1]),
    ("be_myself", "I can be myself at school without being afraid.", SINGLE, OFTEN_7, [0, 1]),
]

PUPILS_11_18 = [
    ("safe_school", "I feel safe at school.", SINGLE, AGREE, [0, 1]),
    ("safe_journey", "I feel safe travelling to and from school.", SINGLE, AGREE, [0, 1]),
    ("safe_online", "I feel safe online (social media, messaging, gaming).", SINGLE, AGREE, [0, 1]),
    (
        "bullied_term",
        "Have you been bullied this term (hurt on purpose, more than once, by someone with more power)?",
        SINGLE,
        YES_NO,
        [1],
    ),
    ("bullied_how", "If you were bullied, how? Choose all that apply.", MULTIPLE, FORMS, []),
    ("bullied_why", "Was it related to any of these? Choose all that apply.", MULTIPLE, CATEGORIES, []),
    ("know_who_to_tell", "I know who to talk to at school if I am bullied.", SINGLE, AGREE, [0, 1]),
    ("told_someone", "If you were bullied, did you tell a member of staff?", SINGLE, YES_NO, [0]),
    ("adults_acted", "If you told staff, did they act on it?", SINGLE, YES_NO, [0]),
    ("heard", "Pupils' views shape the school's anti-bullying work.", SINGLE, AGREE, [0, 1]),
    ("belong", "I feel I belong at this school.", SINGLE, AGREE, [0, 1]),
    ("be_myself", "I can be myself here without fear of being bullied.", SINGLE, AGREE, [0, 1]),
]

PARENTS = [
    ("child_safe", "My child feels safe at this school.", SINGLE, AGREE, [0, 1]),
    ("informed", "The school tells me how it prevents and tackles bullying.", SINGLE, AGREE, [0, 1]),
    ("know_how_to_raise", "I know how to raise a concern about bullying.", SINGLE, AGREE, [0, 1]),
    ("confident_acts", "I am confident the school would act if my child were bullied.", SINGLE, AGREE, [0, 1]),
    ("bullied_term", "Has your child been bullied this term, as far as you know?", SINGLE, YES_NO, [1]),
    ("partnership", "The school asks parents and carers for their views.", SINGLE, AGREE, [0, 1]),
]

STAFF = [
    ("trained_spot", "I have been trained to spot the signs of bullying.", SINGLE, AGREE, [0, 1]),
    ("confident_resolve", "I am confident to respond to and resolve bullying.", SINGLE, AGREE, [0, 1]),
    ("restorative", "I use restorative approaches when pupils fall out or harm others.", SINGLE, AGREE, [0, 1]),
    ("recording_clear", "I know how to record a bullying incident.", SINGLE, AGREE, [0, 1]),
    ("prejudice_confident", "I am confident to challenge prejudice-related language.", SINGLE, AGREE, [0, 1]),
    ("supported", "Leaders support me when I deal with bullying.", SINGLE, AGREE, [0, 1]),
]

# Each entry: audience, title, whether it uses the faces scale, and the questions.
FIRST_VERSIONS = [
    ("pupils_5_7", "Pupils aged 5 to 7", True, PUPILS_5_7),
    ("pupils_7_11", "Pupils aged 7 to 11", False, PUPILS_7_11),
    ("pupils_11_18", "Pupils aged 11 to 18", False, PUPILS_11_18),
    ("parents", "Parents and carers", False, PARENTS),
    ("staff", "Staff", False, STAFF),
]
