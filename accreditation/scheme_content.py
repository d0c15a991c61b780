"""The first Positive and Peaceful Places scheme, written from the Anti-Bullying Charter's
four commitments ("these principles are demonstrated when…") and its four principles
(feeling safe, being heard, positive and peaceful cultures, diversity).

Loaded by migration 0002; kept here so tests and the admin can refer to it.
"""

SCHEME = {
    "name": "Positive and Peaceful Places award",
    "version": 1,
    "description": (
        "The council's anti-bullying award for schools and settings, built on Leicester's "
        "Anti-Bullying Charter. A setting shows, with evidence, that it prevents bullying, "
        "responds to it well and learns from it, with children and young people at the centre."
    ),
    "validity_months": 36,
    "levels": "",
}

STANDARDS = [
    (
        "Policies that record, monitor and review",
        "Robust anti-bullying policies and processes are in place, in line with legislation and "
        "guidance, and they record, monitor and review responses to bullying incidents.",
        [
            (
                "The setting has an anti-bullying policy, agreed by governors or managers, that uses a "
                "clear definition of bullying (including STOP: Several Times On Purpose) and is reviewed "
                "at least every two years.",
                "Check the policy against the Department for Education's Preventing and tackling bullying "
                "guidance and the Leicester Safeguarding Children Partnership's bullying guidance.",
                "The policy and the minutes that agreed it; the review schedule.",
            ),
            (
                "Every bullying incident is recorded in one place, including the forms it took, any "
                "prejudice involved and what was done.",
                "Records should show online as well as face-to-face incidents, and prejudice-related "
                "bullying (race, religion or belief, disability or SEND, sexual orientation, gender identity, "
                "sex, appearance).",
                "A blank incident form or a screenshot of the recording system; an anonymised example record.",
            ),
            (
                "Incidents are reviewed with the children involved, and patterns are monitored and reported "
                "to leaders and governors at least termly.",
                "Monitoring should look for repeat targets, hot spots, times of day and groups affected.",
                "An anonymised termly report to governors; minutes showing actions taken from it.",
            ),
            (
                "The policy is available to pupils, parents and carers in forms they can understand.",
                "",
                "The website page; a child-friendly version; translated or easy-read versions.",
            ),
        ],
    ),
    (
        "Staff supported and trained, with restorative approaches",
        "Staff are supported and trained to identify bullying and resolve conflict appropriately, "
        "with a focus on restorative approaches and inclusion.",
        [
            (
                "All staff, including midday supervisors and support staff, have had anti-bullying "
                "training in the last two years and know how to respond and record.",
                "The SEND Support training programme offers relevant courses, such as Midday Supervisor "
                "training and Connecting with Children that Challenge.",
                "The training record; induction materials; staff survey results.",
            ),
            (
                "The setting uses restorative approaches to repair harm and rebuild relationships after "
                "incidents, for everyone involved.",
                "Restorative approaches let those harmed convey the impact, and those responsible "
                "acknowledge it and put it right.",
                "Anonymised restorative conversation records; a description of the approach.",
            ),
            (
                "Children who bully and children who are bullied are both supported, including children "
                "with SEND and others who may be more vulnerable.",
                "",
                "Anonymised support plans; referrals to the SEMH team or City Psychology Service.",
            ),
            (
                "Governors or trustees have had training on their role in preventing bullying.",
                "The School Governor workshop in the SEND Support programme covers this.",
                "Governor training record; governing body minutes.",
            ),
        ],
    ),
    (
        "The charter's principles in daily life",
        "The setting can show that children and young people feel safe, are heard, belong and can be "
        "themselves, in school and online.",
        [
            (
                "Children and young people feel safe in the setting and online, and this is checked "
                "regularly by asking them.",
                "",
                "Pupil survey results and what changed because of them.",
            ),
            (
                "Children and young people are heard: they help shape how the setting prevents and "
                "tackles bullying, and know how to tell someone (Start Telling Other People).",
                "",
                "School council or pupil voice minutes; anti-bullying ambassadors; how pupils can report.",
            ),
            (
                "The curriculum and wider life of the setting build emotional resilience, conflict "
                "resolution skills and a sense of belonging.",
                "",
                "PSHE/RSHE plans; assemblies; Anti-Bullying Week activities; emotion coaching.",
            ),
            (
                "The setting celebrates diversity so that every child can express their identity with "
                "confidence and without fear.",
                "",
                "Curriculum examples; displays; events; how prejudice-related language is challenged.",
            ),
        ],
    ),
    (
        "Partnership with families and the community",
        "The setting works in partnership with pupils, parents and carers, staff, governors and "
        "statutory bodies to share experience and learn from good practice.",
        [
            (
                "Parents and carers know how to raise a concern about bullying, are kept informed, and "
                "their views on the setting's approach are sought.",
                "",
                "Parent survey; newsletters; the concerns procedure.",
            ),
            (
                "The setting works with other agencies and settings to prevent and respond to bullying, "
                "including in the community and online.",
                "",
                "Examples of joint work with the police, youth services or other schools.",
            ),
            (
                "The setting shares what works and learns from others, for example through the council's "
                "Positive and Peaceful Places network.",
                "",
                "Network attendance; a case study shared with other settings.",
            ),
        ],
    ),
]


def load(Scheme, Standard, Criterion, published_on=None):
    """Create the first scheme (idempotent)."""
    scheme, created = Scheme.objects.get_or_create(
        name=SCHEME["name"],
        version=SCHEME["version"],
        defaults={**SCHEME, "status": "published", "published_on": published_on},
    )
    if not created:
        return scheme
    for number, (title, description, criteria) in enumerate(STANDARDS, start=1):
        standard = Standard.objects.create(scheme=scheme, number=number, title=title, description=description)
        for order, (statement, guidance, examples) in enumerate(criteria, start=1):
            Criterion.objects.create(
                standard=standard,
                code=f"{number}.{order}",
                order=order,
                statement=statement,
                guidance=guidance,
                evidence_examples=examples,
                evidence_required=True,
            )
    return scheme
