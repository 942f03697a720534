"""The words and phrase table behind the blame (B), naming (N) and action-wording (A) rules.

This module is data only: `language.py` compiles it and runs it. A phrase is a regular
expression that starts at an *anchor* word, plus the grammatical context that makes it
blame: who the subject of the clause is, what may or must come just before it, and an
optional named check for the few cases a table cannot express. Adding a phrase here is
enough for it to be matched, with its inflections spelled out in the pattern.

All patterns run on lower-cased text whose curly quotes were made straight and whose
inline code, double-quoted text and URLs were blanked out (same offsets).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Subj(enum.Flag):
    """Who the subject of the clause around a phrase is."""

    NONE = enum.auto()  # a fragment with no subject: "Failed to verify the backup."
    FIRST = enum.auto()  # we, I
    THIRD = enum.auto()  # he, she, they, someone, a role noun, a person's name or @handle
    EXTERNAL = enum.auto()  # users, customers: people, but outside the team
    SYSTEM = enum.auto()  # it, this, a known technical noun
    OTHER = enum.auto()  # any other noun phrase


HUMAN = Subj.FIRST | Subj.THIRD
PERSONAL = Subj.FIRST | Subj.THIRD | Subj.EXTERNAL
NOT_THING = Subj.FIRST | Subj.THIRD | Subj.EXTERNAL | Subj.NONE | Subj.OTHER


@dataclass(frozen=True)
class Phrase:
    """One blaming construction.

    `pattern` is matched at the anchor position. `before` must match the text that ends
    at the anchor (write it ending in `$`); its group `lead`, when present, extends the
    reported span backwards. `not_before` cancels the phrase when it matches there.
    `negatable` phrases are cancelled by a negation a few words before them ("nobody is
    to blame"). `check` names an extra test in `language.py`.
    """

    code: str
    anchors: tuple[str, ...]
    pattern: str
    subject: Subj | None = None
    before: str | None = None
    not_before: str | None = None
    negatable: bool = False
    check: str | None = None


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _anchors(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- regex fragments ------------------------------------------------------------------

# Adverbs and particles that may sit between a subject, a modal and its verb
# ("should probably have", "never really checked").
ADVW = (
    r"(?:[a-z]+ly|not|never|really|also|just|even|still|then|perhaps|maybe|definitely"
    r"|ideally|probably|certainly|surely|obviously|clearly|simply|only|ever|all|both"
    r"|at\s+least|at\s+the\s+very\s+least|in\s+hindsight|in\s+retrospect|actually)"
)
BE = r"(?:was|were|is|are|be|been|being|'s|'re|get|got|gets|getting)"
PASSIVE_BEFORE = rf"\b{BE}\s+(?:{ADVW}\s+){{0,2}}$"
MODAL_HAVE = (
    rf"(?P<modal>should|could|ought)(?P<neg>n't|nt|\s+not|\s+never)?(?:\s+to)?"
    rf"(?:\s+{ADVW},?){{0,3}}(?:'ve|\s*'ve|\s+have|\s+of),?(?:\s+{ADVW},?){{0,3}}"
)
NEG_BEFORE = r"(?:\b(?:not|never|no|nobody|none|no-one|noone|without)|n't)\s+(?:[a-z'-]+\s+){0,2}$"

SHOULD_ANCHORS = (
    "should",
    "shouldn't",
    "shouldnt",
    "should've",
    "shouldn't've",
    "shouldnt've",
    "ought",
)
COULD_ANCHORS = ("could", "couldn't", "couldnt", "could've", "couldn't've", "couldnt've")

# --- people -------------------------------------------------------------------------

FIRST_PERSON = _words("we i us me myself ourselves")
THIRD_PRONOUNS = _words(
    "he she they you him her them someone somebody anyone anybody everyone everybody "
    "whoever nobody no-one noone yourself themselves himself herself"
)
NEGATIVE_SUBJECTS = _words("nobody no-one noone none neither")
# Pronouns that as often name things as people: only some rules trust them.
AMBIGUOUS_PRONOUNS = _words("they them")

ROLE_NOUNS = _words(
    """
    engineer engineers operator operators on-call oncall on-caller on-callers on-calls
    responder responders reviewer reviewers approver approvers intern interns
    administrator administrators admin admins sysadmin sysadmins developer developers
    dev devs programmer programmers coder coders lead leads manager managers sre sres
    dba dbas contractor contractors consultant consultants author authors committer
    committers deployer deployers maintainer maintainers owner owners staff staffer
    staffers employee employees colleague colleagues coworker coworkers co-worker
    co-workers teammate teammates person persons people individual individuals human
    humans member members team teams squad squads crew ops analyst analysts tester
    testers qa architect architects commander ic scribe vendor vendors technician
    technicians newcomer newcomers hire hires junior juniors senior seniors founder
    founders cto ceo vp director directors supervisor supervisors lead-engineer
    release-manager devops sec secops
    """
)
EXTERNAL_NOUNS = _words(
    "user users customer customers visitor visitors subscriber subscribers buyer buyers "
    "merchant merchants partner partners client-side"
)
# Role nouns that name a group rather than one person: "didn't know" is only flagged
# for individuals, because a group's knowledge gap is what a postmortem should describe.
GROUP_NOUNS = _words(
    "team teams staff people crew squad squads ops members employees engineers "
    "developers operators responders reviewers devs humans individuals"
)

SYSTEM_NOUNS = _words(
    """
    it this that these those there system systems service services server servers pod
    pods node nodes job jobs script scripts pipeline pipelines check checks alert alerts
    alerting alarm alarms monitor monitors monitoring test tests deploy deploys
    deployment deployments release releases build builds tool tools tooling cluster
    clusters database databases db dbs cache caches queue queues proxy proxies
    controller controllers cron process processes daemon daemons agent agents api apis
    app apps application applications client clients sdk sdks library libraries
    function functions config configs configuration configurations code change changes
    update updates upgrade upgrades migration migrations instance instances container
    containers balancer balancers lb alb albs elb network networks dns certificate
    certificates cert certs probe probes canary canaries rollout rollouts rollback
    rollbacks worker workers scheduler schedulers component components module modules
    query queries request requests traffic flag flags wrapper wrappers hook hooks bot
    bots automation replica replicas primary leader follower disk disks volume volumes
    bucket buckets table tables index indexes indices endpoint endpoints gateway
    gateways firewall rule rules policy policies limiter limiters pool pools connection
    connections consumer consumers producer producers broker brokers topic topics
    partition partitions backup backups snapshot snapshots handler handlers logic
    retry retries timeout timeouts process cdn analysis page pages dashboard dashboards
    runbook runbooks playbook playbooks procedure procedures step steps patch patches
    fix fixes hotfix hotfixes bug bugs error errors version versions manifest manifests
    chart charts terraform kubernetes k8s helm kubectl argocd flux traefik postgres
    postgresql kafka redis nginx
    """
)
# Words whose presence in a passive clause means a warning was ignored, not a setting.
ALERTISH = _words(
    "alert alerts warning warnings page pages sign signs alarm alarms notification "
    "notifications message messages email emails ticket tickets report reports flags"
)

# Common given names, so that "Bob broke the build" is recognised without a roster.
# Only capitalised occurrences count, and names that are also ordinary words (Will,
# May, Mark, Grant, Rose, Max, Ray, Jan ...) are left out on purpose.
FIRST_NAMES = _words(
    """
    aaron abigail adam ahmed aisha akira alan albert alex alexander alexis ali alice
    alicia amanda amara amit amy ana anders andrea andrew andy angela anil anita anna
    anne anthony anya arjun ashley austin ava barbara ben benjamin beth betty blake
    bob bobby brandon brenda brian brittany bruce bryan camille carl carla carlos carol
    carolyn casey catherine charles charlotte chen cheryl chidi chloe chris christina
    christine christopher claire cynthia dan daniel danielle danny dave david deborah
    deepak denise dennis diana diane diego dmitri donna doris dorothy douglas dylan
    edward eleanor elena elijah elizabeth ella emily emma eric erik ethan eugene eve
    evelyn fatima felix fiona francesca fred gabriel gary george gerald giulia gloria
    grace greg gregory hannah hans harold hassan heather helen henrik henry hiro ian
    igor isabella ivan jacob james jamie jane janet janice jason javier jeff jeffrey
    jennifer jens jeremy jerry jesse jessica jim joan joe john johan jon jonas jonathan
    jordan jorge jose joseph josh joshua joyce juan judith  julie justin kai karen
    kasper kate katherine kathleen kathryn katie kayla keith kelly ken kenji kenneth
    kevin kim kimberly klaus kofi kwame kyle lars laura lauren lawrence leila lena lene
    liam lily linda lisa lloyd logan lucas lucia luis luca lukas mads marco margaret
    maria marie marilyn martha mary mateo matt matthew megan mei melissa mette mia
    michael michelle miguel mike mohammed morgan nancy natalie nathan neha nicholas
    nicole niels noah noor olga oliver olivia omar pablo pamela paolo patricia patrick
    paul pedro peter philip pierre pooja priya priyanka quinn rachel raj rajesh ralph
    randy rasmus ravi rebecca richard rick riley robert roger rohan ron ronald roy rune
    russell ruth ryan sam samantha samuel sandra sanjay sara sarah scott sean sergei
    sharon sofia sophia sophie soren steph stephanie stephen steve steven sunita susan
    sven tariq taylor ted teresa theresa thomas tim timothy tom tony tyler valentina
    victoria vikram vincent walter wayne wei william willie yuki yusuf zachary zoe
    abdul adrian agnes aidan alberto aleksandr alessandro alfie alina alison allison
    alvaro amelia anastasia andre andrea andreas andrei angelo anika ankit anton
    antonio archie arnav arthur arun ashok astrid audrey barry beatriz bernard bianca
    boris brad bradley brandon brendan bridget caleb calvin cameron carmen caroline
    cecilia cesar chandra charlie chiara christian christoph clara colin connor craig
    cristina curtis damian dana daniela darius darren deepa derek  devon dimitri
    dinesh dominic dominik duncan dustin eduardo elias elisa elise ellen elliot emil
    emilia enrique erin esther evan fabian fatma federico fernando filip florian
    francesco francisco franziska gabriela gareth gavin gemma georg gerard gianluca
    gilbert giovanni gordon graham guillaume gustavo hamza harish harry harvey hector
    heidi hugo ibrahim imran ines ingrid irene isaac isabel  jackson jake jakub
    jamal jared jasmine jasper javed jenna jenny jeremiah jia jin joanna jocelyn joel
    johanna jonah joost josephine julian julien julio jun kamal karim karl karthik
    katarzyna katja kavya keira kelvin kieran kiran kirsten krishna kristen kristina
    kumar kurt lakshmi laurent leah leon leonardo leticia levi lewis lina lorenzo louis
    louise luana lucy luke lydia maddie magnus mahmoud maja malik manuel marcel marcelo
    marcus marek margarita mariana marina mario marisa markus marta martin martina
    marvin mason matteo mathias maxim maya mehmet melanie mikael milan milo miriam
    mohamed mohammad monica muhammad murat nadia naomi natasha neil nikhil nikita nikolai
    nina nisha nora norbert oleg oscar owen  patrice paula pavel pavlo petra
    philippe piotr prakash preeti rafael rahul ramesh ramon raphael raquel raul rebekah
    reza ricardo rita roberto robin rodrigo roman rosa ruben rui rupert sabrina salma
    samir sandeep santiago sasha sebastian serena seth shane shanti shreya simon simone
    siddharth sonia stefan stefanie stella stuart suresh svetlana tamara tanya tatiana
    teodor thiago thor tobias tomas trevor tristan ulrich uma vanessa vera veronica
    viktor vivek vladimir wendy wesley xavier yan yara yasmin yvonne zara zeynep zoltan
    """
)
# Roster names that are also ordinary words only count when written with a capital.
COMMON_WORD_NAMES = _words(
    "will may mark grant rose bill pat chase hope faith joy dawn rob sue art don jan "
    "max ray amber ruby hunter frank drew jack sky summer june april august penny holly "
    "ivy iris sandy rusty buck gene lee al sage"
)

# --- verbs ----------------------------------------------------------------------------

# Things a person can be said to have omitted: "didn't check", "failed to escalate".
# With no subject at all ("Failed to verify the backup.") only these make it blame,
# because a bare "Failed to start" is a system's log line.
DILIGENCE_VERBS = _words(
    """
    check verify validate test review read follow notice realize realise escalate
    communicate inform notify tell update document consider ask wait look catch confirm
    double-check doublecheck monitor watch act respond react acknowledge investigate
    coordinate plan anticipate heed disable enable lock pin apply renew rotate revert
    roll stop pause page alert report flag raise mention warn share announce approve
    prepare rehearse secure restrict set install back spot think bother remember drain
    clean sign use listen attend reply answer fix address prioritize prioritise track
    contact call inspect audit double test-drive proofread sanity-check
    """
)
# Knowing is only flagged for an individual subject: "the intern didn't know".
KNOWING_VERBS = _words("know understand realize realise grasp appreciate")

# What a system does when it "fails to": these never make "they failed to ..." blame.
SYSTEM_VERBS = _words(
    """
    start restart connect reach load respond resolve boot bind allocate register
    schedule sync authenticate log sign receive get see access open complete finish
    return process deliver send fetch pull push write parse compile build deploy scale
    recover come join mount attach detach pass apply create acquire drain converge
    propagate replicate serve handle render download upload install run launch spawn
    initialize initialise execute match find locate establish update provision
    """
)

IRREGULAR_PAST = {
    "read": "read",
    "run": "ran",
    "catch": "caught",
    "tell": "told",
    "think": "thought",
    "set": "set",
    "spot": "spotted",
    "stop": "stopped",
    "plan": "planned",
    "pin": "pinned",
    "flag": "flagged",
    "double": "doubled",
    "know": "knew",
    "understand": "understood",
    "write": "wrote",
    "do": "did",
    "see": "saw",
    "get": "got",
    "find": "found",
    "give": "gave",
    "take": "took",
}
IRREGULAR_PARTICIPLE = {
    "run": "run",
    "know": "known",
    "write": "written",
    "do": "done",
    "see": "seen",
    "get": "gotten",
    "give": "given",
    "take": "taken",
}
IRREGULAR_ING = {
    "run": "running",
    "stop": "stopping",
    "plan": "planning",
    "pin": "pinning",
    "spot": "spotting",
    "flag": "flagging",
    "set": "setting",
    "get": "getting",
}

# Past participles that are not formed with -ed (a test for "should have <participle>").
IRREGULAR_PP = _words(
    """
    known seen done caught taken gone made run written read built given kept left told
    thought found brought put set sent spoken understood got gotten been had forgotten
    hidden shown chosen drawn driven eaten fallen flown frozen grown hit hurt let lost
    meant met paid quit ridden risen said sold shut spent split spread stood stuck
    struck sworn taught thrown torn woken worn won withdrawn begun broken bought cut
    dealt felt held heard laid led lent sought shot slept spun stolen swept undone redone
    rerun rewritten overseen foreseen mistaken misread misunderstood sped agreed freed
    guaranteed overseen sat
    """
)
# "-ed" words that usually modify a noun: "we should have automated tests" is a norm,
# "we should have automated the rollback" is a counterfactual.
ADJECTIVAL_ED = _words(
    """
    automated dedicated detailed documented centralized centralised distributed
    integrated advanced limited standardized standardised enforced isolated separated
    related expected required defined named scheduled versioned structured tested
    managed shared signed trusted encrypted sandboxed provisioned customized unified
    written updated improved increased reduced extended dedicated designated
    """
)
# After "should/could have", these describe what happened to someone, not a choice.
EXPERIENCE_PP = _words(
    "had been received gotten got lost experienced encountered needed wanted affected impacted"
)
# "could have" is also the possibility modal: "users could have seen stale prices".
POSSIBILITY_PP = EXPERIENCE_PP | _words(
    "seen heard hit found felt caused triggered led resulted taken noticed known "
    "happened occurred gone"
)
# "should/shouldn't have been <these>" judges a past human decision; other participles
# ("should have been corrected as the backlog was processed") state expected behaviour.
DECISION_PP = _words(
    """
    addressed approved avoided caught checked communicated considered double-checked
    escalated fixed flagged followed handled implemented investigated merged noticed
    planned prevented prioritised prioritized raised read reported reverted reviewed
    rolled rushed shipped spotted tested validated verified announced coordinated
    discussed documented locked pinned renewed rotated updated applied notified informed
    told warned questioned challenged disabled enabled stopped paused cancelled canceled
    postponed deployed released picked taken staged rehearsed asked contacted acted
    patched monitored replaced upgraded pushed approved signed blocked rejected given
    granted allowed permitted assigned trusted
    """
)
COULD_BEEN_PP = _words("avoided prevented caught spotted noticed averted mitigated")

# Function words that cannot be the noun an "-ed" adjective modifies.
FUNCTION_WORDS = _words(
    """
    the a an this that these those it them him her us me our their his its my your all
    any every each both some more less before after earlier sooner first properly
    carefully with for in on at by to and or but so up out down back off over into
    onto from about if when while because since until unless as than then again
    through via without
    """
)

# Words that are skipped when looking for the head of a subject.
DETERMINERS = _words(
    "the a an this that these those our their his her its my your some any each every "
    "all both no one two three several many most few another other such whose"
)
PREPOSITIONS = _words(
    "of on in for from at with by to about across within during under over into onto "
    "after before via per through among between behind near like without against"
)
AUXILIARIES = _words(
    "had has have was were is are be been being did does do will would shall should "
    "could may might must can 'd 'll 's 're 've hadn't hasn't haven't wasn't weren't "
    "isn't aren't didn't doesn't don't won't wouldn't shouldn't couldn't mustn't can't"
)
# Adverbs and discourse markers that sit at either end of a subject segment.
DISCOURSE = _words(
    """
    unfortunately sadly then also later initially eventually ultimately however
    meanwhile subsequently finally first next thus therefore hence clearly obviously
    honestly frankly basically additionally moreover instead again still yet now today
    yesterday tonight sometimes often always never just simply really even already
    apparently probably perhaps maybe certainly definitely actually only ever not both
    all once soon quickly immediately
    """
)
# Tokens that end a clause when looking back for a subject.
CLAUSE_WORDS = _words(
    """
    which that who whom whose because since when whenever while whereas although though
    but so and or nor after before until unless if as where then meaning causing
    so-that whereby
    """
)
QUESTION_LEADERS = _words(
    "ask asked asking asks know knew find found out wonder wondered wondering identify "
    "determine figure check see clear unclear question questioned"
)

# --- the phrase table -----------------------------------------------------------------

_PP_CHECK_WORD = r"(?P<w>[a-z][a-z'-]*)"

PHRASES: tuple[Phrase, ...] = (
    # B102 before B101: "should have known" is hindsight, not a plain counterfactual.
    Phrase(
        "B102",
        SHOULD_ANCHORS + COULD_ANCHORS,
        MODAL_HAVE + r"\s+been\s+(?:(?:so|very|quite|pretty|perfectly|painfully|more)\s+)?"
        r"(?:obvious|clear|apparent|evident)\b",
    ),
    Phrase(
        "B102",
        SHOULD_ANCHORS + COULD_ANCHORS,
        MODAL_HAVE + r"\s+(?:known|realized|realised|foreseen|anticipated|predicted|expected"
        r"|guessed|been\s+(?:more\s+)?aware|seen\s+(?:this|it|that)\s+coming)\b",
        subject=Subj.FIRST | Subj.THIRD | Subj.NONE | Subj.EXTERNAL,
    ),
    Phrase(
        "B102",
        SHOULD_ANCHORS,
        r"should(?:n't|nt|\s+not|\s+never)(?:\s+" + ADVW + r"){0,2}\s*(?:'ve|\s+have)\s+happened",
    ),
    Phrase("B102", ("never",), r"never\s+should\s+have\s+happened"),
    # B101 counterfactuals.
    Phrase(
        "B101",
        SHOULD_ANCHORS + COULD_ANCHORS,
        MODAL_HAVE + r"\s+(?:(?P<been>been)(?:\s+" + ADVW + r"){0,2}\s+)?" + _PP_CHECK_WORD,
        check="modal_perfect",
    ),
    Phrase(
        "B101",
        ("would", "wouldn't", "wouldnt"),
        r"would(?:n't|nt|\s+not)?(?:\s+"
        + ADVW
        + r"){0,2}\s+have\s+been\s+(?:"
        + ADVW
        + r"\s+)?(?:avoided|prevented|averted)\b",
        check="no_control",
    ),
    Phrase(
        "B101",
        ("fail", "fails", "failed", "failing"),
        r"fail(?:s|ed|ing)?\s+(?:"
        + ADVW
        + r"\s+){0,2}to\s+(?:"
        + ADVW
        + r"\s+){0,2}(?P<v>[a-z][a-z-]*)",
        check="failed_to",
    ),
    Phrase(
        "B101",
        ("failure",),
        r"failure\s+(?:of\s+(?P<of>(?:[@a-z'-]+\s+){1,4}?))?to\s+(?P<v>[a-z][a-z-]*)",
        check="failure_to",
    ),
    Phrase(
        "B101",
        ("neglected", "neglects", "neglecting", "neglect"),
        r"neglect(?:ed|s|ing)?\s+(?:" + ADVW + r"\s+)?(?:to\s+[a-z]+|the|a|an|our|their|his"
        r"|her|its|this|that|these|those|[a-z]+ing)\b",
        subject=NOT_THING,
    ),
    Phrase(
        "B101",
        ("forgot", "forget", "forgets", "forgetting", "forgotten"),
        r"forg(?:ot|et|ets|etting|otten)\b",
        not_before=r"(?:\b(?:don't|do\s+not|never|not|a|an|the|easy\s+to|easily|won't"
        r"|will\s+not|to)|'s|s')\s+$",
        check="forgot",
    ),
    Phrase(
        "B101",
        ("bother", "bothered", "bothering"),
        r"bother(?:ed|ing)?\s+(?:to|with|checking|reading|testing|looking|asking|verifying)\b",
        before=r"(?:n't|\b(?:not|never|nobody|no-one|noone|without)|couldn't\s+be|could\s+not"
        r"\s+be)\s+(?:" + ADVW + r"\s+)?$",
    ),
    Phrase(
        "B101",
        (
            "didn't",
            "didnt",
            "did",
            "never",
            "hadn't",
            "hadnt",
            "had",
            "don't",
            "dont",
            "doesn't",
            "doesnt",
            "do",
            "does",
        ),
        r"(?P<aux>didn't|didnt|did\s+not|did\s+never|never|hadn't|hadnt|had\s+not|had\s+never"
        r"|don't|dont|doesn't|doesnt|do\s+not|does\s+not)"
        r"\s+(?:" + ADVW + r"\s+){0,2}(?P<v>[a-z][a-z-]*)",
        check="omission",
    ),
    Phrase(
        "B101",
        ("followed",),
        r"followed\b",
        before=r"(?P<lead>(?:\b(?:was|were|is|are|been|being|got)\s+(?:not|never)|\b(?:wasn't"
        r"|weren't|isn't|aren't)|\b(?:hadn't|had\s+not|haven't|hasn't|have\s+not|has\s+not)"
        r"\s+been)\s+(?:" + ADVW + r"\s+)?)$",
    ),
    Phrase(
        "B101",
        ("if",),
        r"if\s+(?:only\s+)?(?P<subj>(?:[@a-z'-]+\s+){1,4}?)(?:had|'d|would\s+have|could\s+have)"
        r"(?:n't|\s+not|\s+never)?\s+(?:" + ADVW + r"\s+){0,2}(?P<w>[a-z][a-z'-]*)"
        r"(?=\s+(?P<w2>[a-z]+))?",
        check="if_had",
    ),
    Phrase(
        "B101",
        ("had",),
        r"had\s+(?P<subj>we|they|he|she|i|you|someone|somebody|anyone|the\s+[a-z-]+|our\s+"
        r"[a-z-]+|[@a-z-]+)\s+(?:not\s+|only\s+|just\s+)?(?P<w>[a-z][a-z'-]*)",
        before=r"(?:^|[.!?;:(\n|]\s*|,\s*|\b(?:and|but|so)\s+)$",
        check="inverted_had",
    ),
    Phrase(
        "B101",
        ("overlooked", "overlook", "overlooks", "overlooking", "missed"),
        r"(?:overlook(?:ed|s|ing)?|missed)\s+(?:" + ADVW + r"\s+)?(?:the|a|an|this|that|these"
        r"|those|our|their|his|her|its|all|several|multiple|repeated|two|three)\s+(?:[a-z-]+\s+)?"
        r"(?:[a-z-]+)",
        subject=HUMAN,
        check="not_missed_neutral",
    ),
    Phrase(
        "B101",
        ("supposed",),
        r"supposed\s+to\s+[a-z]+",
        before=r"\b(?:was|were|is|are|'re|'s)\s+(?:" + ADVW + r"\s+)?$",
        subject=HUMAN,
    ),
    Phrase(
        "B101",
        ("without",),
        r"without\s+(?:" + ADVW + r"\s+)?(?:first\s+)?(?P<v>[a-z-]+ing)\b",
        check="without_ing",
    ),
    Phrase(
        "B101",
        ("skipped", "skipping", "bypassed", "bypassing"),
        r"(?:skipp(?:ed|ing)|bypass(?:ed|ing))\s+(?:the\s+|a\s+|an\s+|our\s+)?(?:[a-z-]+\s+)?"
        r"(?:review|reviews|checklist|checklists|test|tests|canary|staging|step|steps|approval"
        r"|process|procedure|runbook|queue|gate|check|checks)\b",
        subject=Subj.THIRD,
    ),
    # B102 hindsight.
    Phrase("B102", ("obviously", "predictably"), r"(?:obviously|predictably)\b"),
    Phrase(
        "B102",
        ("obvious", "apparent", "evident"),
        r"(?:obvious|apparent|evident)\b",
        before=r"\b(?:was|were|is|are|'s|be|been|seemed|seems|looked|looks)\s+(?:(?:so|very"
        r"|quite|pretty|fairly|painfully|blindingly|really|immediately|already|all\s+too"
        r"|completely|totally|perfectly)\s+)?$",
        not_before=r"\bbecame\s+$",
        check="not_temporal",
    ),
    Phrase(
        "B102",
        ("clear",),
        r"clear\s+(?:that|to\s+(?:everyone|anyone|everybody|all|us|them|me|him|her)|from\s+the"
        r"\s+start|all\s+along|beforehand)\b",
        before=r"\b(?:was|were|is|are|'s|been|seemed|seems|looked|looks)\s+(?:(?:so|very|quite"
        r"|pretty|fairly|painfully|blindingly|really|already|all\s+too|perfectly)\s+)?$",
    ),
    Phrase(
        "B102",
        ("hindsight", "retrospect"),
        r"(?:hindsight(?!\s+bias)|retrospect)\b",
        not_before=r"\b(?:avoid|avoiding|without|free\s+of|beware\s+of|counter|resist)\s+"
        r"(?:[a-z]+\s+)?$",
    ),
    Phrase(
        "B102",
        ("knew", "know"),
        r"kn(?:ew|ow)\s+(?:that\s+)?(?:this|it|that|something|the\s+[a-z-]+)\s+(?:would|was"
        r"\s+going\s+to|could|will)\b",
        subject=Subj.FIRST | Subj.THIRD | Subj.NONE,
    ),
    Phrase(
        "B102",
        ("bound",),
        r"bound\s+to\s+(?:happen|fail|break|go\s+wrong|occur|bite|blow\s+up)",
        before=r"\b(?:was|were)\s+(?:" + ADVW + r"\s+)?$",
    ),
    Phrase("B102", ("matter",), r"matter\s+of\s+time\b"),
    Phrase("B102", ("accident",), r"accident\s+waiting\s+to\s+happen"),
    Phrase(
        "B102",
        ("inevitable", "predictable", "foreseeable", "preventable", "avoidable"),
        r"(?:inevitable|predictable|foreseeable|preventable|avoidable)\b",
        before=r"\b(?:was|were|is|seemed|been|be)\s+(?:(?:[a-z]+ly|so|very|quite|all|both)\s+)?$",
        negatable=True,
    ),
    Phrase("B102", ("saw", "seen"), r"(?:saw|seen)\s+(?:this|it|that)\s+coming"),
    Phrase(
        "B102",
        ("despite",),
        r"despite\s+(?:being\s+(?:aware|warned|told)|knowing|having\s+been\s+(?:warned|told)"
        r"|(?:the\s+|repeated\s+|several\s+|multiple\s+|earlier\s+|many\s+)?warnings?"
        r"|clear\s+signs|(?:the\s+|repeated\s+)?alerts)\b",
    ),
    Phrase(
        "B102",
        ("how",),
        r"how\s+(?:on\s+earth\s+)?(?:could|couldn't|did|didn't|can|can't|would|was\s+it"
        r"\s+possible\s+that)\s+(?P<subj>(?:[@a-z'-]+\s+){1,3}?)(?:not\s+|n't\s+|never\s+)?"
        r"(?:have\s+)?(?:noticed|notice|known|know|missed|miss|seen|see|overlooked|overlook"
        r"|forgotten|forget|ignored|ignore|let|allowed|allow|approved|approve|merged|merge"
        r"|deployed|deploy|realized|realize|realised|realise)\b",
        check="subject_group_human",
    ),
    Phrase(
        "B102",
        ("obvious",),
        r"obvious\s+(?:mistake|mistakes|error|errors|oversight|warning|warnings|signs?|red"
        r"\s+flags?)\b",
    ),
    # B103 judgement.
    Phrase(
        "B103",
        _anchors("""careless carelessly carelessness negligent negligently negligence sloppy sloppily
            sloppiness lazy lazily laziness incompetent incompetence incompetently reckless
            recklessly recklessness irresponsible irresponsibly irresponsibility inattentive
            inattention thoughtless thoughtlessly heedless heedlessly stupid stupidity dumb
            foolish foolishly idiotic boneheaded inexcusable unprofessional unforgivable
            amateurish half-assed slapdash"""),
        # "lazy loading" and friends are technical terms, not judgements.
        r"[a-z-]+\b(?!\s+(?:load|loaded|loading|loads|evaluation|evaluated|initiali[sz]ation"
        r"|init|import|imports|instantiation|mode|fetch|fetching|hydration)\b)",
        negatable=True,
    ),
    Phrase(
        "B103",
        ("lax", "laxity", "laxness"),
        r"lax(?:ity|ness)?\b(?!\s+(?:default|defaults|mode|parser|parsing|validation|schema"
        r"|setting|settings|permission|permissions|policy|policies|check|checks|rule|rules"
        r"|config|configuration|cors|tls|ssl|matching)\b)",
        negatable=True,
    ),
    Phrase(
        "B103",
        ("poor", "bad", "wrong", "terrible", "awful", "questionable", "hasty", "careless"),
        r"(?:poor|bad|wrong|terrible|awful|questionable|hasty|careless)\s+(?:judg(?:e)?ment"
        r"|decisions?|call|calls|choices?|decision-making)\b",
        negatable=True,
    ),
    Phrase(
        "B103",
        ("poor", "bad", "terrible", "awful", "questionable"),
        r"(?:poor|bad|terrible|awful|questionable)\s+(?:[a-z-]+\s+)?(?:strateg(?:y|ies)|planning"
        r"|practices?|execution|discipline|workmanship|attitude|oversight|work\s+ethic)\b",
        negatable=True,
    ),
    Phrase("B103", ("apple", "apples"), r"apples?\b", before=r"\bbad\s+$"),
    Phrase(
        "B103",
        ("cowboy", "cowboys"),
        r"cowboys?\b(?:\s+(?:deploy|deploys|coding|engineering|change|changes|fix|fixes"
        r"|attitude|behaviou?r|move|style))?",
    ),
    Phrase("B103", ("rookie",), r"rookie\s+(?:mistake|mistakes|error|errors|move)"),
    Phrase("B103", ("dropped", "drop", "drops", "dropping"), r"drop(?:ped|s|ping)?\s+the\s+ball"),
    Phrase("B103", ("asleep",), r"asleep\s+at\s+the\s+(?:wheel|switch)"),
    Phrase("B103", ("cut", "cutting", "cuts"), r"cut(?:ting|s)?\s+(?:some\s+|a\s+few\s+)?corners"),
    Phrase(
        "B103",
        ("fat-fingered", "fat-finger", "fat-fingering", "fat-fingers", "fat"),
        r"fat(?:-|\s+)?finger(?:ed|ing|s)?\b",
    ),
    Phrase(
        "B103",
        ("rubber-stamped", "rubber-stamp", "rubber-stamping", "rubber-stamps", "rubber"),
        r"rubber(?:-|\s+)?stamp(?:ed|ing|s)?\b",
    ),
    Phrase("B103", ("excuse",), r"excuse\b", before=r"\bno\s+(?:real\s+|good\s+)?$"),
    Phrase(
        "B103",
        ("lack", "lacked", "lacks", "lacking"),
        r"lack(?:ed|s|ing)?\s+(?:of\s+|any\s+|the\s+)?(?:attention|care|diligence|discipline|professionalism|judg(?:e)?ment"
        r"|common\s+sense|competence)\b",
    ),
    Phrase(
        "B103",
        ("attention",),
        r"attention\b",
        before=r"(?:n't|\b(?:not|never|stopped|stop|failed\s+to|forgot\s+to))\s+(?:pay|paying"
        r"|paid|pays)\s+(?:any\s+|enough\s+)?$",
    ),
    Phrase(
        "B103",
        _anchors("mistakenly wrongly erroneously incorrectly blindly naively"),
        r"[a-z]+ly\b(?!\s+(?:configured|set|set\s+up|labelled|labeled|named|formatted|encoded"
        r"|parsed|routed|cached|sized|scoped|ordered)\b)",
        subject=HUMAN,
    ),
    Phrase(
        "B103",
        (
            "ignored",
            "ignoring",
            "ignores",
            "ignore",
            "dismissed",
            "dismissing",
            "disregarded",
            "disregarding",
            "disregards",
            "disregard",
        ),
        r"(?:ignor(?:ed|ing|es|e)|dismiss(?:ed|ing)|disregard(?:ed|ing|s)?)\s+(?:"
        + ADVW
        + r"\s+)?(?:the\s+|an?\s+|all\s+|our\s+|their\s+|his\s+|her\s+|repeated\s+|multiple"
        r"\s+|several\s+|these\s+|those\s+|both\s+|clear\s+|obvious\s+|early\s+)?(?:[a-z-]+\s+){0,2}"
        r"(?:alerts?|warnings?|pages?|signs?|alarms?|notifications?|errors?|reports?|advice"
        r"|feedback|concerns?|messages?|emails?|tickets?|failures?|lint|tests?|runbook"
        r"|procedure|process|checklist)\b",
        subject=Subj.FIRST | Subj.THIRD | Subj.NONE,
    ),
    Phrase(
        "B103",
        ("ignored", "dismissed", "disregarded", "overlooked"),
        r"(?:ignored|dismissed|disregarded|overlooked)\b",
        before=PASSIVE_BEFORE,
        check="passive_alert",
    ),
    Phrase(
        "B103",
        _anchors("experienced careful competent senior attentive diligent skilled qualified"),
        r"[a-z]+\s+(?:[a-z-]+\s+)?(?:engineer|developer|operator|person|reviewer|sre|admin"
        r"|administrator|team|dba|on-call|responder)s?\b",
        before=r"(?P<lead>\b(?:a|an|any)\s+more\s+)$",
    ),
    Phrase(
        "B105",
        ("wrong",),
        r"wrong\s+[a-z-]+",
        before=r"(?P<lead>\b(?:[a-z]+ed|ran|hit|put|set|took|chose|picked|typed|made|did|sent"
        r"|wrote|restarted|deleted|dropped)\s+(?:the|a)\s+)$",
        subject=Subj.THIRD,
    ),
    Phrase(
        "B103",
        ("rushed",),
        r"rushed\s+(?:the|a|an|this|that|our|their|it|through|out|into)\b",
        subject=HUMAN,
    ),
    Phrase(
        "B103",
        ("rushed",),
        r"rushed\b",
        before=PASSIVE_BEFORE,
    ),
    Phrase(
        "B103",
        (
            "messed",
            "screwed",
            "mucked",
            "borked",
            "botched",
            "bungled",
            "fumbled",
            "messing",
            "screwing",
        ),
        r"(?:messed|screwed|mucked|messing|screwing)\s+up\b|(?:borked|botched|bungled|fumbled)\b",
        subject=Subj.FIRST | Subj.THIRD | Subj.NONE,
    ),
    Phrase(
        "B103",
        ("too",),
        r"too\s+(?:slow|late|careless|hasty|quick|lazy|busy)\s+to\b",
        subject=Subj.THIRD,
    ),
    Phrase(
        "B103",
        ("mistake",),
        r"mistake\s+to\b",
        before=r"\b(?:was|is|'s|been)\s+(?:a|an)\s+(?:[a-z]+\s+)?$",
    ),
    Phrase(
        "B103",
        ("mistake", "mistakes", "error", "errors", "oversight", "blunder"),
        r"(?:mistakes?|errors?|oversight|blunder)\b",
        before=r"(?P<lead>\b(?:basic|trivial|elementary|silly|dumb|stupid|careless|rookie"
        r"|amateur|unforgivable|inexcusable|simple|avoidable|big|huge|classic)\s+)$",
        negatable=True,
    ),
    Phrase("B103", ("error",), r"error\s+of\s+judg(?:e)?ment"),
    Phrase(
        "B103",
        ("do",),
        r"do\s+(?:their|his|her|your|the|its)\s+(?:job|jobs|homework|due\s+diligence)\b",
        before=r"(?:n't|\b(?:not|never|failed\s+to|forgot\s+to))\s+$",
    ),
    # B104 "human error" as a cause.
    Phrase(
        "B104",
        (
            "human",
            "operator",
            "user",
            "manual",
            "engineer",
            "engineering",
            "developer",
            "admin",
            "administrator",
            "personnel",
            "staff",
            "pilot",
            "human-error",
            "operator-error",
            "user-error",
        ),
        r"(?:human|operator|personnel|staff|pilot|engineer(?:ing)?|developer|admin(?:istrator)?)"
        r"[\s-]+(?:error|errors|mistake|mistakes|failure|slip|slips|blunder|fault)\b"
        r"|(?:user|manual)[\s-]+(?:error|errors|mistake|mistakes)\b",
        check="not_prevention",
    ),
    # B105 fault and blame.
    Phrase(
        "B105",
        ("fault",),
        r"fault\b",
        before=r"(?P<lead>(?:\b[@a-z-]+(?:'s|')|\b(?:his|her|their|your|my|our))\s+(?:own\s+|entirely"
        r"\s+|fault\s+)?)$",
        negatable=True,
    ),
    Phrase("B105", ("fault",), r"fault\b", before=r"\bat\s+$", subject=HUMAN, negatable=True),
    Phrase(
        "B105",
        ("fault",),
        r"fault\s+(?:lies|lay|rests|rested|is|was)\s+(?:squarely\s+)?(?:with|on)\b",
        negatable=True,
    ),
    Phrase(
        "B105",
        ("fault",),
        r"fault\s+of\s+(?P<np>(?:[@a-z'-]+\s*){1,4})",
        check="np_person",
        negatable=True,
    ),
    Phrase(
        "B105",
        ("blame",),
        r"blame\b",
        before=r"\b(?:is|was|are|were|be|being|been|'s)\s+(?:(?:partly|partially|solely|entirely"
        r"|largely|also|mostly|squarely)\s+)?to\s+$",
        negatable=True,
        check="not_negative_subject",
    ),
    Phrase(
        "B105",
        ("blame",),
        r"blame\s+(?:for\s+(?:[a-z-]+\s+){1,3})?(?:lies|lay|rests|rested|falls|fell|lie)\s+"
        r"(?:squarely\s+)?(?:with|on)\b",
        negatable=True,
    ),
    Phrase(
        "B105",
        ("blame", "blamed", "blames", "blaming"),
        r"blam(?:e|ed|es|ing)\s+(?:it\s+|this\s+|the\s+outage\s+|the\s+incident\s+)?(?:on\s+)?"
        r"(?P<np>(?:[@a-z'-]+\s*){1,4})",
        negatable=True,
        check="np_person",
    ),
    Phrase(
        "B105",
        ("blamed",),
        r"blamed\b",
        before=PASSIVE_BEFORE,
        subject=HUMAN,
        check="not_negative_subject",
    ),
    Phrase(
        "B105",
        ("mistake", "mistakes", "blunder", "blunders"),
        r"(?:mistakes?|blunders?)\b",
        before=r"(?P<lead>(?:\b[@a-z-]+(?:'s|')|\b(?:his|her|their|your|my))\s+(?:own\s+|big\s+"
        r"|simple\s+|honest\s+)?)$",
        # "no margin for a partner's mistake" is a hypothetical, not an accusation.
        not_before=r"\b(?:a|an|any|every|one)\s+[@a-z-]+(?:'s|')\s+(?:[a-z]+\s+)?$",
        negatable=True,
    ),
    Phrase(
        "B105",
        ("error", "errors", "oversight", "lapse", "slip"),
        r"(?:errors?|oversight|lapse|slip)\b(?!\s+(?:handling|rate|rates|budget|code|codes"
        r"|message|messages|log|logs|page|pages|path|paths|count|counts|response|responses"
        r"|state|class|type|types|spike|spikes|ratio|tracking|reporting|bar)\b)",
        before=r"(?P<lead>\b(?P<owner>[@a-z-]+)(?:'s|')\s+(?:own\s+)?)$",
        check="owner_person",
        negatable=True,
    ),
    Phrase(
        "B105",
        ("mistake", "mistakes", "error", "errors", "oversight", "lapse", "slip", "blunder"),
        r"(?:mistakes?|errors?|oversight|lapse|slip|blunder)\s+(?:was\s+|were\s+)?(?:made\s+)?"
        r"(?:by|on\s+the\s+part\s+of|of)\s+(?P<np>(?:[@a-z'-]+\s*){1,4})",
        check="np_person",
        negatable=True,
    ),
    Phrase(
        "B105",
        ("made", "make", "makes", "making"),
        r"ma(?:de|ke|kes|king)\s+(?:a|an|the|this|that|several|many|multiple|another|one|some)"
        r"\s+(?:[a-z-]+\s+)?(?:mistake|mistakes|error|errors|blunder|slip)\b",
        subject=HUMAN,
        negatable=True,
    ),
    Phrase(
        "B105",
        ("caused", "triggered", "introduced"),
        r"(?:caused|triggered|introduced)\s+by\s+(?P<np>(?:[@a-z'-]+\s*){1,5})",
        check="np_person",
    ),
    Phrase(
        "B105",
        ("due", "because", "result"),
        r"(?:due\s+to|because\s+of|result\s+of)\s+(?P<np>(?:[@a-z'-]+\s*){1,5})",
        check="np_person",
    ),
    Phrase(
        "B105",
        ("root",),
        r"root\s+cause\s*(?:was|is|:|-|=)\s*(?P<np>(?:[@a-z'-]+\s*){1,5})",
        check="np_any_person",
    ),
    Phrase(
        "B105",
        ("responsible",),
        r"responsible\s+for\s+(?:the\s+|this\s+|that\s+|our\s+)?(?:[a-z-]+\s+)?(?:outage"
        r"|incident|failure|breakage|mistake|error|data\s+loss|downtime|mess|problem|bug)\b",
        subject=HUMAN,
        negatable=True,
    ),
    Phrase("B105", ("broke",), r"broke\b", subject=HUMAN),
    Phrase(
        "B105",
        ("caused",),
        r"caused\s+(?:(?:the|this|that|an?|our)\s+(?:[a-z-]+\s+)?(?:outage|incident|issue"
        r"|problem|failure|bug|breakage|downtime|mess|data\s+loss|split\s+brain)|this|it|that)\b",
        subject=HUMAN,
    ),
    Phrase(
        "B105",
        ("introduced",),
        r"introduced\s+(?:a|an|the|this|that)\s+(?:[a-z-]+\s+)?(?:bug|regression|error|defect"
        r"|typo|vulnerability|breaking\s+change)\b",
        subject=HUMAN,
    ),
    Phrase(
        "B105",
        ("down",),
        r"down\s+(?:the|our|production|prod|everything)\b|down\b",
        before=r"(?P<lead>\b(?:took|brought|knocked|take|takes|taking)\s+(?:(?:the|our)\s+"
        r"(?:[a-z-]+\s+)?(?:site|service|cluster|production|database)\s+)?)$",
        subject=HUMAN,
    ),
    # B106 punitive outcomes.
    Phrase(
        "B106",
        _anchors("""disciplined reprimanded punished sacked fired terminated suspended demoted
            dismissed censured penalized penalised"""),
        r"[a-z]+\b",
        before=PASSIVE_BEFORE,
        subject=HUMAN,
        check="not_negative_subject",
    ),
    Phrase(
        "B106",
        _anchors("""discipline disciplined disciplining reprimand reprimanded reprimanding punish
            punished punishing fire fired firing sack sacked suspend suspended demote
            demoted terminate terminated penalize penalise"""),
        r"[a-z]+\s+(?P<np>(?:[@a-z'-]+\s*){1,4})",
        check="np_person",
    ),
    Phrase("B106", ("disciplinary", "punitive", "punishment"), r"[a-z]+\b", negatable=True),
    Phrase(
        "B106",
        ("written",),
        r"written\s+up\b",
        before=PASSIVE_BEFORE,
        subject=HUMAN,
    ),
    Phrase("B106", ("let",), r"let\s+go\b", before=PASSIVE_BEFORE, subject=HUMAN),
    Phrase(
        "B106",
        ("held", "hold", "holding"),
        r"(?:held|hold|holding)\s+(?:(?:them|him|her|someone|people|(?:the|our|a|an|this|that"
        r"|every|each)\s+(?:[a-z-]+\s+){1,2})\s*)?"
        r"(?:personally\s+)?(?:accountable|liable|responsible\s+for\s+(?:the|this)\s+"
        r"(?:outage|incident|failure|loss|data\s+loss))\b",
        subject=NOT_THING,
        negatable=True,
    ),
    Phrase(
        "B106",
        ("consequences",),
        r"consequences\b",
        before=r"\b(?:face|faces|facing|faced)\s+(?:[a-z]+\s+)?$",
    ),
    Phrase("B106", ("performance",), r"performance\s+improvement\s+plan"),
    Phrase(
        "B106",
        ("removed", "taken", "banned", "barred"),
        r"(?:removed|taken|banned|barred)\s+(?:off\s+|from\s+)(?:the\s+|all\s+)?(?:on-?call|rotation"
        r"|team|project|production\s+access|the\s+rotation)\b",
        before=PASSIVE_BEFORE,
        subject=HUMAN,
    ),
    Phrase(
        "B106",
        ("lost", "lose", "loses"),
        r"(?:lost|lose|loses)\s+(?:his|her|their|your)\s+(?:job|jobs|position|bonus|access)\b",
        subject=HUMAN,
    ),
    # B107 who / why questions aimed at people.
    Phrase(
        "B107",
        ("who",),
        r"who\s+(?:(?:just|actually|originally|last|exactly|else)\s+)?(?:approved|pushed|merged"
        r"|deployed|did|made|broke|caused|wrote|ran|changed|signed|shipped|released|committed"
        r"|authored|reviewed|touched|forgot|missed|let|allowed|decided|dropped|messed|screwed"
        r"|(?:is|was|'s)\s+(?:responsible|to\s+blame|at\s+fault)|should\s+be\s+(?:blamed"
        r"|held))\b",
        check="interrogative",
    ),
    Phrase(
        "B107",
        ("whose",),
        r"whose\s+(?:fault|mistake|change|code|commit|idea|decision|call|responsibility)\b",
        check="interrogative",
    ),
    Phrase(
        "B107",
        ("whoever",),
        r"whoever\s+(?:" + ADVW + r"\s+)?(?:approved|pushed|merged|deployed|did|made|broke"
        r"|caused|wrote|ran|changed|signed|shipped|released|committed|authored|reviewed"
        r"|touched|forgot|missed|let|allowed|decided|dropped|messed|screwed|is\s+responsible"
        r"|was\s+responsible)\b",
    ),
    Phrase(
        "B107",
        ("why",),
        r"why\s+(?:on\s+earth\s+)?(?P<aux>did|didn't|didnt|would|wouldn't|wouldnt|hadn't|had"
        r"|weren't|wasn't)"
        r"\s+(?:not\s+)?(?P<subj>(?:the\s+|our\s+|their\s+|this\s+|that\s+)?[@a-z'-]+)",
        check="why_person",
    ),
    Phrase(
        "B107",
        ("thinking",),
        r"thinking\b",
        before=r"(?P<lead>\bwhat\s+(?:were|was|are|is)\s+(?:you|they|he|she|the\s+[a-z-]+)\s+)$",
    ),
    # B108 minimisers.
    Phrase("B108", ("everyone", "everybody"), r"(?:everyone|everybody)\s+(?:already\s+)?knows\b"),
    Phrase("B108", ("know",), r"know\b", before=r"(?P<lead>\b(?:as\s+)?we\s+all\s+)$"),
    Phrase("B108", ("common",), r"common\s+(?:knowledge|sense)\b", negatable=True),
    Phrase(
        "B108",
        ("simply", "just"),
        r"(?:simply|just)\s+(?:had|needed|has|needs|have|need)\s+to\s+[a-z]+",
        subject=Subj.THIRD | Subj.NONE,
    ),
    Phrase(
        "B108",
        ("do",),
        r"do\s+(?:was|is)\b",
        before=r"(?P<lead>\ball\s+(?:he|she|they|you|we|someone|somebody|anyone|the\s+[a-z-]+"
        r"|[a-z-]+)\s+(?:had|needed|has|needs|have|need)\s+to\s+)$",
    ),
    Phrase("B108", ("course",), r"course\b", before=r"(?P<lead>\bof\s+)$"),
    Phrase(
        "B108",
        _anchors(
            "competent reasonable experienced good decent half-decent sane sensible capable "
            "qualified"
        ),
        r"[a-z-]+\s+(?:[a-z-]+\s+)?(?:engineer|developer|operator|person|admin|administrator"
        r"|sre|reviewer|dba|programmer|professional|on-call)s?\b",
        before=r"(?P<lead>\bany\s+)$",
    ),
    Phrase("B108", ("rocket",), r"rocket\s+science\b"),
    Phrase(
        "B108",
        ("anyone", "anybody", "everyone", "everybody"),
        r"(?:anyone|anybody|everyone|everybody)\s+(?:else\s+)?would(?:\s+" + ADVW + r")?\s+have"
        r"\s+(?:" + ADVW + r"\s+)?[a-z]+ed\b",
    ),
    # B109 "be more careful" as the remedy.
    Phrase(
        "B109",
        _anchors("careful cautious vigilant diligent attentive aware mindful thorough"),
        r"[a-z]+\b",
        before=r"(?P<lead>\b(?:be|being|been|become|are|is|was|were|get|stay|remain)\s+(?:(?:a"
        r"\s+bit|a\s+lot|much|far|even|extra|very|especially|super|really|particularly)\s+)?"
        r"(?:more|extra|especially|super|much\s+more|a\s+lot\s+more)\s+)$",
    ),
    Phrase("B109", ("carefully",), r"carefully\b", before=r"(?P<lead>\bmore\s+)$"),
    Phrase(
        "B109",
        ("attention",),
        r"attention\b",
        before=r"(?P<lead>\b(?:pay|pays|paid|paying)\s+(?:much\s+)?(?:more|closer|better|extra"
        r"|special|greater|careful|proper)\s+)$",
    ),
    Phrase(
        "B109",
        ("attention",),
        r"attention\b",
        before=r"(?P<lead>\b(?:must|should|need\s+to|needs\s+to|have\s+to|has\s+to|will|always)"
        r"\s+(?:always\s+)?pay\s+)$",
    ),
    Phrase(
        "B109",
        ("care",),
        r"care\b",
        before=r"(?P<lead>\b(?:take|takes|taking|took)\s+(?:more|extra|greater|better|special"
        r"|much\s+more)\s+)$",
    ),
    Phrase(
        "B109",
        ("remind", "reminded", "reminding", "reminds"),
        r"remind(?:ed|ing|s)?\s+(?:all\s+|the\s+|our\s+|every\s+)?(?P<np>[@a-z-]+)(?:\s+[a-z-]+)?"
        r"\s+(?:to|of|about|that)\b",
        check="np_person",
    ),
    Phrase(
        "B109",
        ("reminder", "reminders"),
        r"reminders?\s+(?:to|for)\s+(?:all\s+|the\s+|every\s+)?(?:engineers|team|everyone|people"
        r"|developers|devs|operators|on-call|staff|responders|reviewers)\b",
    ),
    Phrase(
        "B109",
        ("make", "makes", "making"),
        r"mak(?:e|es|ing)\s+sure\s+(?:that\s+)?(?P<np>(?:the\s+|all\s+|every\s+|each\s+|our\s+)?"
        r"[@a-z-]+)\s+(?:" + ADVW + r"\s+)?(?:checks?|verif(?:y|ies)|reads?|reviews?|tests?"
        r"|remembers?|follows?|runs?|looks?|pays?|knows?|double-checks?|understands?|is\s+aware"
        r"|are\s+aware|confirms?|validates?|thinks?)\b",
        check="np_person",
    ),
    Phrase(
        "B109",
        ("remember",),
        r"remember\s+to\b",
        before=r"(?P<lead>\b(?:must|should|need\s+to|needs\s+to|have\s+to|has\s+to|will|always"
        r"|to|please)\s+(?:always\s+)?)$",
    ),
    Phrase(
        "B109",
        ("double-check", "double"),
        r"double(?:-|\s+)check\b",
        before=r"(?P<lead>\b(?:must|should|need\s+to|needs\s+to|have\s+to|has\s+to|always)\s+"
        r"(?:always\s+)?)$",
    ),
    Phrase(
        "B109",
        ("next",),
        r"next\s+time,?\s+(?:(?:we|you|they|engineers|the\s+[a-z-]+)\s+(?:should|must|need\s+to"
        r"|will)\s+)?(?:be\s+more|do\s+what|remember|pay|take\s+more|double[\s-]check|think"
        r"\s+twice|be\s+careful)\b",
    ),
    Phrase(
        "B109", ("do",), r"do\s+what\s+(?:you|they|we|he|she)\s+(?:should|were\s+supposed\s+to)"
    ),
    Phrase("B109", ("think",), r"think\s+twice\b"),
    Phrase("B109", ("harder",), r"harder\b", before=r"(?P<lead>\btry\s+)$"),
    Phrase(
        "B109",
        ("again",),
        r"again\b",
        before=r"(?P<lead>\b(?:don't|do\s+not|never|not)\s+(?:do|let|make)\s+(?:this|that|it|the"
        r"\s+same\s+mistake)\s+(?:happen\s+)?)$",
    ),
)

# --- action-item wording --------------------------------------------------------------

# Verbs an action title may start with. Vague verbs are here too: A202 is about the
# shape of the title, A201 about the wording.
ACTION_VERBS = _words(
    """
    add implement create set setup configure document write update upgrade downgrade
    migrate move replace remove delete deprecate disable enable automate alert page
    route rotate renew pin lock version-lock split separate change rename revert roll
    rollback test verify validate run schedule build deploy release publish introduce
    require enforce block reject limit cap throttle increase decrease reduce raise lower
    bump tune adjust define assign appoint train teach hold host audit inventory tag label
    track measure record log emit expose export import backfill clean purge archive
    expire retry handle catch guard fix patch refactor rewrite redesign design draft
    share announce notify communicate email post send contact ask escalate investigate
    look consider discuss review revisit reflect improve enhance ensure make monitor check
    prioritize prioritise plan agree identify figure explore evaluate assess research
    study learn get bring keep stop start restart reboot scale shard partition index
    cache store encrypt sign scan lint fuzz canary stage gate extend expand shorten
    lengthen wire hook integrate connect isolate decouple drop switch convert standardize
    standardise unify consolidate centralize centralise merge sync back backup restore
    replicate failover drill rehearse simulate practice confirm count follow harden
    optimize optimise streamline strengthen tighten address educate remind think try work
    pay be double-check double provide give allow prevent detect protect secure deny
    grant revoke apply collect capture alarm notify instrument benchmark profile load
    stress chaos containerize dockerize package vendor freeze unfreeze open close file
    raise escalate hand transfer split cut trim shrink grow resize rebuild recreate
    reconfigure reroute redirect proxy throttle debounce batch queue dedupe deduplicate
    sanitize sanitise escape quote normalize normalise parse serialize validate reject
    refuse forbid prohibit whitelist allowlist denylist blacklist mark flag pause resume
    reduce run ship land merge revert bisect reproduce write publish roll-out turn flip
    wrap attach reserve hide mask redact reindex vacuum compact prune cordon taint evict
    quarantine retire decommission sunset adopt buy hire staff fund budget book onboard
    offboard deduplicate dedup replay rerun re-run rebalance reshard resync reissue
    accept map register fail poll bound size render reconcile install autoscale generate
    serve shed read finish probe warn estimate take put call hand keep hold mark note
    ping query fetch pull push load save write sort filter group join sum compute
    calculate compare diff match mirror clone copy fork branch pipe stream buffer flush
    spool retain rotate age sample aggregate annotate describe explain list name number
    order rank rate score sequence measure meter quota budget charge bill refund credit
    debit verify authorize authenticate login logout sign-in sign-out route bind mount
    unmount format partition provision deprovision spin spin-up tear teardown wind
    bootstrap seed prime warm preload prefetch precompute rehydrate hydrate chunk page
    paginate compress decompress encode decode hash salt rekey reseed truncate vacuum
    defragment repair heal recover reset clear wipe erase scrub anonymize pseudonymize
    mask tokenize detokenize reject allow deny permit restrict scope narrow widen loosen
    relax raise drop skip omit include exclude add append prepend insert update upsert
    replace swap switch toggle enable disable activate deactivate arm disarm trigger
    schedule defer delay postpone retry backoff jitter timeout cancel abort halt kill
    terminate stop start resume continue proceed escalate de-escalate notify inform
    announce publish broadcast email text sms message chat post comment reply respond
    acknowledge ack resolve close reopen triage assign reassign delegate own transfer
    handover hand-off escalate review approve sign-off merge rebase squash cherry-pick
    backport forward-port release tag version bump pin unpin lock unlock freeze thaw
    deploy redeploy undeploy ship roll rollout roll-back canary stage promote demote
    gate guard fence protect shield harden secure encrypt decrypt rotate revoke expire
    renew extend shorten lengthen increase decrease raise lower cap limit throttle
    shape police meter prioritise prioritize deprioritize rebalance redistribute spread
    colocate separate isolate segment partition shard split merge consolidate combine
    unify standardise standardize normalise normalize validate verify check test lint
    typecheck fuzz benchmark profile trace instrument observe watch monitor alert page
    graph chart plot dashboard visualize visualise log record capture collect export
    import ingest parse serialize deserialize convert transform translate migrate port
    upgrade downgrade patch fix correct amend adjust tune calibrate configure set unset
    define declare document describe specify spell write rewrite draft edit proofread
    publish circulate present demo teach train coach mentor onboard pair shadow rehearse
    drill practice simulate exercise game-day chaos inject break tolerate survive handle
    catch raise throw return emit expose hide deprecate remove delete retire archive
    decommission sunset replace substitute supersede adopt evaluate choose pick select
    decide buy procure contract negotiate hire staff fund budget plan schedule book
    reserve allocate provision scale resize grow shrink expand contract autoscale
    """
)
# Leading words that show a title is a noun phrase or a clause, not an instruction.
NON_VERB_STARTS = _words(
    """
    a an the this that these those our their its my your some any each every all no
    more better new clear clearer proper improved additional automated automatic regular
    periodic full comprehensive general quick other another further extra greater
    enhanced increased reduced we i you they it there if when maybe perhaps possibly
    should must need needs might may could would for on in with to about via per
    """
)
# First halves of compound verbs: "Version lock Flux", "Rate limit the login endpoint".
COMPOUND_VERB_HEADS = _words(
    "version rate load smoke unit spot pen health feature time dry hot stress chaos canary "
    "fuzz sanity cross dog soft hard fail geo blue-green"
)
NOUN_SUFFIXES = (
    "tion",
    "sion",
    "ment",
    "ness",
    "ity",
    "ance",
    "ence",
    "ism",
    "ship",
    "ics",
    "ogy",
    "ery",
    "ure",
)

# (pattern, kind) pairs; the kind picks the message and the suggestion.
VAGUE_STRONG: tuple[tuple[str, str], ...] = (
    (r"\blook(?:ing)?\s+(?:into|at)\b", "open"),
    (r"\binvestigat(?:e|ing|ion)\b", "open"),
    (r"\bconsider(?:ing)?\b", "open"),
    (r"\bthink(?:ing)?\s+(?:about|through|over)\b", "open"),
    (r"\bdiscuss(?:ing|ion)?\b", "open"),
    (r"\breflect(?:ing)?\b", "open"),
    (r"\brevisit(?:ing)?\b", "open"),
    (r"\bexplor(?:e|ing)\b", "open"),
    (r"\bresearch(?:ing)?\b", "open"),
    (r"\bbrainstorm(?:ing)?\b", "open"),
    (r"\bevaluat(?:e|ing)\b", "open"),
    (r"\bassess(?:ing)?\b", "open"),
    (r"\bfigur(?:e|ing)\s+out\b", "open"),
    (r"\b(?:agree|align)(?:ing)?\s+on\b", "open"),
    (r"\bdecid(?:e|ing)\s+(?:on|whether|if|how)\b", "open"),
    (r"\bcom(?:e|ing)\s+up\s+with\b", "open"),
    (r"\bfind(?:ing)?\s+(?:a|the|some)\s+(?:\w+\s+)?ways?\b", "open"),
    (r"\bmight\s+be\s+an?\s+option\b", "open"),
    (r"\bbe(?:ing)?\s+more\s+(?:careful|aware|vigilant|diligent|cautious|attentive)\b", "people"),
    (r"\bpay(?:ing)?\s+(?:more\s+|closer\s+|better\s+)?attention\b", "people"),
    (r"\bremind(?:ing|er)?\b", "people"),
    (r"\beducat(?:e|ing)\b", "people"),
    (r"\braise\s+awareness\b", "people"),
    (r"\bdouble[\s-]check(?:ing)?\b", "people"),
    (r"\bkeep(?:ing)?\s+an\s+eye\s+on\b", "people"),
    (r"\btry(?:ing)?\s+(?:to|harder)\b", "people"),
    (r"\bfollow(?:ing)?[\s-]up\b", "followup"),
    (r"\bwork(?:ing)?\s+(?:on|with)\b", "followup"),
    (r"\bkeep(?:ing)?\s+(?:monitoring|watching|checking|tracking|an\s+eye)\b", "people"),
    (r"\bcontinu(?:e|ing)\s+to\b", "followup"),
    (r"\b(?:talk|sync|check\s+in)(?:ing)?\s+(?:to|with)\b", "followup"),
    (
        r"\bfix(?:ing)?\s+(?:the|this|that|these|those|all|any)\s+(?:\w+\s+)?(?:issues?|problems?"
        r"|bugs?|outage|incident)\b(?!\s+(?:in|with|where|when)\b)",
        "fix",
    ),
    (r"\bas\s+(?:needed|appropriate|required|necessary)\b", "hedge"),
    (r"\bwhere\s+(?:possible|appropriate|applicable|needed|necessary)\b", "hedge"),
    (r"\b(?:if|when)\s+(?:possible|needed|necessary|feasible)\b", "hedge"),
    (r"\bgoing\s+forward\b", "hedge"),
    (r"\bin\s+the\s+future\b", "hedge"),
    (r"\betc\b", "hedge"),
    (r"\band\s+so\s+on\b", "hedge"),
    (r"\b(?:doesn't|does\s+not|never)\s+happen\s+again\b", "people"),
)
# Vague unless the title also gives a measure: these only fire as the leading verb.
VAGUE_VERBS = _words(
    """
    improve enhance ensure monitor increase reduce decrease lower optimize optimise
    minimize minimise maximize maximise streamline harden strengthen tighten prioritize
    prioritise review address identify
    """
)
VAGUE_VERB_PHRASES = (r"\bmake\s+sure\b", r"\bbring\s+down\b", r"\bcut\s+down\b", r"\bspeed\s+up\b")
# Comparative goals: vague anywhere in the title unless a measure is given.
VAGUE_GOALS = (
    r"\bbetter\b",
    r"\bmore\s+(?!than\b)[a-z-]+",
    r"\b(?:clear|clearer|improved|proper|good)\s+(?:communication|coordination|collaboration"
    r"|documentation|visibility|ownership|alignment|awareness|understanding|process)\b",
)
# What makes a title measurable or bounded.
MEASURE = (
    r"\d+(?:[.,]\d+)?\s*(?:%|percent|ms|milliseconds?|s\b|secs?\b|seconds?|m\b|mins?\b|minutes?"
    r"|h\b|hrs?\b|hours?|days?|weeks?|months?|quarters?|[kmgt]i?b\b|x\b|times|requests|rps|qps"
    r"|errors|retries|nodes|replicas|resources|connections)"
    r"|[<>≤≥]=?\s*\d|\bfrom\s+\d[\w.]*\s+to\s+\d|\b(?:at\s+least|at\s+most|under|over|below|above"
    r"|within|exceeds?|less\s+than|more\s+than|greater\s+than|fewer\s+than|up\s+to)\s+\d"
    r"|\b\d{4}-\d{2}-\d{2}\b|\bby\s+(?:q[1-4]|end\s+of|(?:jan|feb|mar|apr|may|jun|jul|aug|sep"
    r"|oct|nov|dec)[a-z]*\b)"
    r"|\b(?:daily|nightly|weekly|monthly|quarterly|hourly|every\s+(?:\d+|day|night|week|month"
    r"|quarter|release|deploy|run|build))\b"
    r"|\b(?:automated|automatically|automatic|presubmit|pre-submit|pre-commit|ci\s+check"
    r"|in\s+ci|lint\s+rule|fails?\s+the\s+build|alert\s+when|page\s+when|alerts?\s+(?:at|if|on)"
    r"\s+\d)\b"
)
