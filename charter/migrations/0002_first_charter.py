"""The first version of Leicester's Anti-Bullying Charter, from the council's published text
(../shared/seeds/leicester-anti-bullying-charter.txt). Words in **double asterisks** are
the charter's own emphasis. Officers draft and publish later versions in the admin.
"""

import datetime

from django.db import migrations

DEFINITION = (
    "the repetitive, intentional harming of one person or group by another person or group, where the "
    "relationship involves an imbalance of power. Bullying can be physical, verbal, or psychological and can "
    "happen face-to-face or online."
)

STOP_INTRODUCTION = (
    "In practice, schools, and other settings (residential children's homes, playgrounds, youth clubs, "
    "nurseries, etc.) may wish to use this clear and easy to understand definition of bullying:"
)

PRINCIPLES_INTRODUCTION = (
    "Leicester city council promote work to prevent and tackle bullying in schools, settings and services that "
    "support children and young people in Leicester that is guided by the following principles:"
)

PRINCIPLES = [
    "We believe children and young people have a right to **feel safe** in the places that they spend time "
    "(schools, other settings, communities, online).",
    "We believe children and young people have a right to be **heard** at all stages of developing and "
    "implementing approaches to prevent and tackle bullying.",
    "We actively promote **positive** and **peaceful** cultures that build **emotional resilience**, develop "
    "**conflict resolution skills**, and foster **a sense of belonging**.",
    "We embrace **diversity** and believe all children and young people should be able to express their "
    "**individual identity with confidence** and **without fear**.",
]

DELIVERY_GUIDANCE = """Partner organisations have pledged to support the principles set out in this charter. The level at which each organisation delivers against these pledges will depend upon its purpose and role.

For example, some partners deliver services directly to children and young people and therefore all aspects of the charter will be directly relevant to their operational role.

Other partners are responsible for commissioning rather than direct service provision. Commissioners supporting this pledge agree to embed the four principles of the charter within service specifications and commissioning arrangements that they enter.

This section provides some commentary to support each of the statements made in the charter on how organisations may demonstrate the principles in action. Some examples of the current offer available in Leicester (including hyperlinks to information) are provided to assist organisations to develop their own policies and processes."""

COMMITMENTS = [
    (
        "Policies and processes",
        "Robust anti-bullying **policies** and processes are in place (in schools and other settings in line with "
        "legislation and guidance) that effectively record, monitor, and review responses to bullying incidents.",
        """Leicester Children's Trust Board recognises the importance of encouraging schools and settings to robustly and fairly deal with bullying. It is recommended that schools develop their anti-bullying policy as per the Department for Education guidance preventing bullying.

The **Anti-Bullying Alliance** has produced helpful guidance for schools on developing an anti-bullying policy.

The **Leicester Safeguarding Children Partnership Board** has published bullying guidance that schools and other settings should follow as appropriate.

Leicester's Positive and Peaceful Places (PPP) Anti-Bullying Award for Schools and Settings, which schools can apply for on a voluntary basis, requires an anti-bullying policy to be in place as part of the accreditation process. Support is offered to schools to develop their anti-bullying policy. The Positive and Peaceful Places (PPP) award is offered to schools on a traded basis.

Restorative Approaches Training can support schools to further develop a whole school approach to managing conflict.

The Restorative Justice Council UK has the following definition:

“A restorative school is one which takes a restorative approach to resolving conflict and preventing harm. Restorative approaches enable those who have been harmed to convey the impact of the harm to those responsible, and for those responsible to acknowledge this impact and take steps to put it right.

Restorative approaches refer to a range of methods and strategies which can be used both to prevent relationship-damaging incidents from happening and to resolve them if they do happen. Becoming a restorative school has many benefits, including increased attendance, reduced exclusions, and improved achievement.”

Additional information and resources (Restorative Justice Council).""",
    ),
    (
        "Staff supported and trained",
        "Schools and other settings ensure their staff are **supported and trained** to identify bullying and "
        "resolve conflict appropriately, with a focus on restorative approaches and inclusion. This includes support "
        "for all those involved in any incident to repair and rebuild relationships and to promote a positive and "
        "peaceful environment.",
        """Staff in Leicester City Schools can be supported by the SEMH (Social, Emotional & Mental Health) Team and Educational Psychologists from the City Psychology Service. Work will include issues around anxiety; low self- esteem; challenging behaviours; inclusion in learning and social activities; advice and guidance around the causes of bullying, its impact on both the victim and the bully and restorative approaches. Other SEND Support Services and the Psychology Service offer support and traded services work across EYFS, primary and secondary school phases.

As part of the SEND Support training programme, a range of courses are offered that underpin staff awareness, understanding and skills in supporting children with challenging behaviours that may include bullying. These include:

- Emotion Coaching
- Team Teach
- Connecting with Children that Challenge
- Power of Connections
- Theraplay practices
- Keeping Safe – Positive Handling Plans
- Midday Supervisor training
- School Governor workshop""",
    ),
    (
        "Evidence",
        "Schools and other settings can **evidence** that they fulfil their responsibilities; for example, by "
        "voluntarily participating in Leicester's accredited award scheme – Positive and Peaceful Places (PPP).",
        """Leicester’s **Positive and Peaceful Places (PPP)** Anti-Bullying Award for Schools and Other Settings. There will be regular opportunities for new schools and other settings to apply, and for existing Anti-Bullying Award holders’ re- accreditation onto the new scheme. The new accreditation scheme is structured to provide a supportive framework for each school or other setting which may include:

- An initial visit and guided planning exercise.
- The formulation of an action plan.
- Support and guidance on how the organisation can evidence compliance.
- Advice and guidance on preparing or developing the organisation’s anti-bullying policy (see above for DfE guidance).
- Monitoring visits.
- The offer of a bespoke package to meet individual needs.
- Additional development and training opportunities for schools and other settings who wish to develop their accredited status.""",
    ),
    (
        "Partnership with the community",
        "Schools and other settings work in partnership with the community (e.g., pupils, parents/carers, staff, "
        "governors, statutory bodies) to **share experience** and learn from **good practice**, creating safer "
        "places for children and young people in Leicester.",
        "The council is committed to participation and co-production and working in partnership with schools and "
        "settings to ensure anti-bullying practice is promoted widely.",
    ),
]

# Starting points for organisations, curated by officers in the admin (not part of the charter's text).
EXAMPLES = [
    [
        "We will review our anti-bullying policy every year with pupils, staff and governors, in line with the "
        "Department for Education's guidance on preventing bullying.",
        "We will record every bullying incident, including prejudice-related and online bullying, and review the "
        "records each term to spot patterns and check our responses worked.",
    ],
    [
        "Every member of staff, including midday supervisors, will have anti-bullying and restorative approaches "
        "training, refreshed every two years.",
        "We will give everyone involved in an incident support to repair and rebuild relationships.",
    ],
    [
        "We will work towards the Positive and Peaceful Places award.",
        "We will report our anti-bullying work to our governors or board every year.",
    ],
    [
        "We will ask children and young people, parents and carers what they think of our anti-bullying work every "
        "year, and tell them what we changed as a result.",
        "We will share what works with other schools and settings through the council's networks.",
    ],
]

CONTACTS = """Bhavin Pathak, email bhavin.pathak@leicester.gov.uk
Amanda Stapleton, email amanda.stapleton@leicester.gov.uk"""


def load(apps, schema_editor):
    Charter = apps.get_model("charter", "Charter")
    if Charter.objects.filter(version=1).exists():
        return
    charter = Charter.objects.create(
        version=1,
        title="Leicester's Anti-Bullying Charter",
        status="published",
        published_on=datetime.date(2026, 11, 1),
        definition=DEFINITION,
        definition_source="As per the definition provided by Anti-Bullying Alliance.",
        stop_introduction=STOP_INTRODUCTION,
        stop_several="Several Times On Purpose",
        stop_start="Start Telling Other People",
        principles_introduction=PRINCIPLES_INTRODUCTION,
        commitments_introduction="These principles are demonstrated when:",
        delivery_guidance=DELIVERY_GUIDANCE,
        contacts=CONTACTS,
    )
    Principle = apps.get_model("charter", "Principle")
    Commitment = apps.get_model("charter", "Commitment")
    ExamplePledge = apps.get_model("charter", "ExamplePledge")
    for order, text in enumerate(PRINCIPLES, start=1):
        Principle.objects.create(charter=charter, order=order, text=text)
    for order, ((short_title, text, guidance), examples) in enumerate(zip(COMMITMENTS, EXAMPLES, strict=True), 1):
        commitment = Commitment.objects.create(
            charter=charter, order=order, short_title=short_title, text=text, guidance=guidance
        )
        for n, example in enumerate(examples, start=1):
            ExamplePledge.objects.create(commitment=commitment, order=n, text=example)


class Migration(migrations.Migration):
    dependencies = [("charter", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
