import factory

from incidents.support.choices import ArticleKind, Channel, Severity
from incidents.support.models import Customer, KnowledgeArticle


class KnowledgeArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeArticle

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    kind = ArticleKind.KNOWN_ISSUE
    summary = "A short summary."
    body = "Some **Markdown**."


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    email_domain = factory.Sequence(lambda n: f"customer{n}.example")
    is_premium = False


def make_ticket(**overrides):
    from incidents.support.services import ticket_create

    data = {
        "requester_name": "Dana Developer",
        "requester_email": "dana@globex.example",
        "subject": "Sandbox key returns 401",
        "description": "Every call with my new key returns 401.",
        "severity": Severity.MEDIUM,
        "channel": Channel.PORTAL,
        "acting_user": None,
    }
    data.update(overrides)
    return ticket_create(**data)
