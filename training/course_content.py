"""The SEND Support training programme as the charter names it: eight courses, described
afresh for the catalogue. Loaded by migration 0002; officers edit them in the admin
afterwards (prices here are starting figures for the officers to set)."""

AUDIENCES = [
    ("teachers", "Teachers"),
    ("teaching-assistants", "Teaching assistants"),
    ("sencos", "SENCOs"),
    ("leaders", "Senior leaders"),
    ("midday-supervisors", "Midday supervisors"),
    ("support-staff", "Support staff"),
    ("governors", "Governors and trustees"),
    ("early-years", "Early years practitioners"),
]

# slug, title, summary, description, audiences, duration, delivery, traded, standard, prerequisites, outcomes
COURSES = [
    (
        "emotion-coaching",
        "Emotion Coaching",
        "A practical way of talking with children about feelings so that they learn to calm themselves "
        "and make better choices.",
        "Emotion Coaching helps adults respond to a child's strong feelings in the moment: noticing the "
        "emotion behind the behaviour, naming it, and then setting limits and solving the problem together.\n\n"
        "The day draws on research into attachment and the developing brain, and on what Leicester schools "
        "have found works. You practise short coaching conversations for the classroom, the corridor and "
        "the playground, including after a bullying incident, and leave with scripts you can use the next day.",
        ["teachers", "teaching-assistants", "sencos", "leaders", "early-years"],
        "One day, 9:30am to 3:30pm",
        "either",
        "65.00",
        "95.00",
        "",
        "The steps of an Emotion Coaching conversation\n"
        "Why behaviour is communication, especially for children with SEND\n"
        "How to set limits without shaming\n"
        "How to use it after conflict and bullying",
    ),
    (
        "team-teach",
        "Team Teach",
        "Accredited positive behaviour support: de-escalation first, and safe, reasonable physical "
        "intervention only when it is needed.",
        "Team Teach training puts prevention and de-escalation first. Most of the course is about reading "
        "early signs of distress, changing the environment and using your voice and body language to calm "
        "a situation. It also teaches the small number of holding techniques that keep a child and others "
        "safe when nothing else has worked, and how to record and repair afterwards.\n\n"
        "Participants who complete the course and its assessment receive the Team Teach certificate, "
        "valid for the period the Team Teach framework sets.",
        ["teachers", "teaching-assistants", "sencos", "support-staff"],
        "Two days, 9:00am to 4:00pm",
        "in_person",
        "140.00",
        "190.00",
        "Wear comfortable clothing and flat shoes. Tell us beforehand about any injury or health condition.",
        "De-escalation strategies and the support continuum\n"
        "Legal and ethical guidance on reasonable force\n"
        "Safe physical interventions, practised with a trainer\n"
        "Recording, reporting and restorative follow-up",
    ),
    (
        "connecting-with-children-that-challenge",
        "Connecting with Children that Challenge",
        "Understanding the needs behind challenging behaviour, and building the relationships that change it.",
        "Some children challenge us every day. This course looks past the behaviour to what it may be "
        "telling us: unmet needs, past trauma, sensory overload, difficulty with language or with friendships. "
        "You look at real (anonymised) case studies from Leicester settings and plan how you would "
        "respond.\n\nIt suits staff who want to reduce exclusions and repeated incidents, and to support "
        "both children who bully and children who are bullied.",
        ["teachers", "teaching-assistants", "sencos", "leaders", "midday-supervisors"],
        "Half a day, 9:30am to 12:30pm",
        "either",
        "40.00",
        "60.00",
        "",
        "Common reasons behind challenging behaviour\n"
        "Relationship-building strategies that hold under pressure\n"
        "Planning support for a child with your team",
    ),
    (
        "power-of-connections",
        "Power of Connections",
        "How belonging and trusted adults protect children, and how to build connection into every "
        "part of the school day.",
        "Children who feel they belong are safer, learn better and are less likely to be involved in "
        "bullying. Power of Connections shows how small, deliberate moments of connection – greeting at the "
        "door, check-ins, noticing – add up, and how a whole staff team can make sure no child is missed.\n\n"
        "You map the connections around the children you work with and leave with a plan for those who "
        "have none.",
        ["teachers", "teaching-assistants", "leaders", "support-staff", "midday-supervisors", "early-years"],
        "Twilight, 3:45pm to 5:45pm",
        "online",
        "25.00",
        "40.00",
        "",
        "Why belonging matters for wellbeing and safety\n"
        "Everyday ways to build connection\n"
        "Mapping relationships to find children at risk of isolation",
    ),
    (
        "theraplay-practices",
        "Theraplay practices",
        "Playful, attachment-based activities that build trust, regulation and confidence in children "
        "who find relationships hard.",
        "Theraplay-informed practice uses short, structured, playful activities to build the kind of "
        "relationship that helps a child feel safe. This course introduces its four dimensions – structure, "
        "engagement, nurture and challenge – and lets you try activities you can use with individuals, small "
        "groups or a whole class.\n\nIt is an introduction for school staff, not a qualification as a "
        "Theraplay therapist.",
        ["teaching-assistants", "sencos", "early-years", "teachers"],
        "One day, 9:30am to 3:00pm",
        "in_person",
        "65.00",
        "95.00",
        "",
        "The four dimensions of Theraplay\n"
        "Activities for individuals, groups and classes\n"
        "When to refer on to specialist support",
    ),
    (
        "keeping-safe-positive-handling-plans",
        "Keeping Safe – Positive Handling Plans",
        "Writing and reviewing positive handling plans with children, parents and staff, so everyone "
        "knows how to keep a child safe.",
        "A good positive handling plan says what helps a child stay calm, what the early signs of "
        "distress look like, what adults will do at each stage and how everyone will repair afterwards. "
        "This course walks through writing one with the child and their family, agreeing it with staff, "
        "and reviewing it after incidents.\n\nYou bring an anonymised plan (or a situation you need one for) "
        "and leave with a draft.",
        ["sencos", "leaders", "teachers", "teaching-assistants"],
        "Half a day, 1:00pm to 4:00pm",
        "either",
        "40.00",
        "60.00",
        "Team Teach or similar training is helpful but not required.",
        "What a positive handling plan contains\n"
        "Involving the child and their parents or carers\n"
        "Reviewing plans after incidents and recording well",
    ),
    (
        "midday-supervisor-training",
        "Midday Supervisor training",
        "Confidence on the playground and in the dining hall: spotting bullying early, sorting out "
        "conflict and knowing what to pass on.",
        "Lunchtimes are when many bullying incidents start. This course is written for midday supervisors "
        "and lunchtime staff: how to spot the difference between falling out and bullying (Several Times On "
        "Purpose), how to step in calmly, how to use restorative questions in two minutes, and what to "
        "record and tell the class teacher.\n\nIt includes ideas for games and zones that make lunchtimes "
        "calmer for everyone, including children with SEND.",
        ["midday-supervisors", "support-staff", "teaching-assistants"],
        "Two hours, 1:30pm to 3:30pm",
        "in_person",
        "20.00",
        "30.00",
        "",
        "Recognising bullying using STOP\n"
        "Calm ways to step in and restorative questions\n"
        "What to record and who to tell\n"
        "Making lunchtimes more inclusive",
    ),
    (
        "school-governor-workshop",
        "School Governor workshop",
        "For governors and trustees: your role in preventing bullying, the questions to ask and the "
        "data to expect from leaders.",
        "Governing boards must make sure their school has an effective anti-bullying policy and that it "
        "works. This evening workshop explains the law and guidance, Leicester's Anti-Bullying Charter and "
        "the Positive and Peaceful Places award, and the questions a board can ask about incident "
        "records, prejudice-related bullying and pupils' views.\n\nIt counts as governor training for the "
        "award's standard on trained staff and governors.",
        ["governors", "leaders"],
        "Evening, 6:00pm to 8:00pm",
        "online",
        "20.00",
        "30.00",
        "",
        "The board's duties on behaviour and bullying\n"
        "Reading an anti-bullying report to governors\n"
        "Questions that hold leaders to account",
    ),
]
