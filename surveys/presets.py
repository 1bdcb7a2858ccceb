"""The default survey: the five-level overall rating, was it solved, the agent's attitude, a comment."""

DEFAULT_TEMPLATE = {
    "name": "满意度回访", "name_en": "Satisfaction survey",
    "intro": "感谢您联系我们。您的事项已处理完毕，请花一分钟告诉我们您的感受。",
    "intro_en": "Thank you for contacting us. Your request has been handled; please take a minute to tell us "
                "how we did.",
}
DEFAULT_QUESTIONS = [
    ("solved", "yes_no", "您的问题解决了吗？", "Was your problem solved?"),
    ("attitude", "rating", "您对工作人员的服务态度满意吗？", "How satisfied are you with the staff's attitude?"),
    ("comment", "text", "还有什么想告诉我们的吗？", "Anything else you would like to tell us?"),
]


def seed_survey_template(apps=None) -> None:
    """Create the default template when there is none (a migration, or a test after a flush)."""
    if apps is None:
        from django.apps import apps
    template_model = apps.get_model("surveys", "SurveyTemplate")
    question_model = apps.get_model("surveys", "Question")
    if template_model.objects.exists():
        return
    template = template_model.objects.create(kind="", **DEFAULT_TEMPLATE)
    for position, (code, kind, text, text_en) in enumerate(DEFAULT_QUESTIONS):
        question_model.objects.create(template=template, position=position, code=code, kind=kind, text=text,
                                      text_en=text_en)
