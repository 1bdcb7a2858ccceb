"""The standard phrases every center starts with (the seeds': “您好，**号为您服务”), in both languages;
installed by migration ``messaging/0002``. Admins change or add to them in the admin."""

PRESETS = [
    ("zh-hans", "问候", "您好，{agent_no}号为您服务，请问有什么可以帮您？"),
    ("zh-hans", "已受理", "{customer_name}您好，您反映的问题已受理，工单号 {reference}，我们将于{due_date}前答复您。"),
    ("zh-hans", "请补充", "{customer_name}您好，为尽快处理，请补充以下信息："),
    ("zh-hans", "已办结", "{customer_name}您好，您反映的问题已处理完毕。如仍有疑问，请直接回复或致电我们，"
                       "感谢您的理解与支持！"),
    ("en", "Greeting", "Hello, this is agent {agent_no}. How can I help you?"),
    ("en", "Received", "Dear {customer_name}, we have received your request {reference} and will answer by "
                       "{due_date}."),
    ("en", "Need more", "Dear {customer_name}, to handle this quickly we need the following from you:"),
    ("en", "Done", "Dear {customer_name}, your request has been handled. If anything is still unclear, reply to "
                   "this message or call us. Thank you for your patience."),
]


def seed_canned_replies(apps, schema_editor=None) -> None:
    """Add the presets that are missing (by language and title); change nothing that exists."""
    model = apps.get_model("messaging", "CannedReply")
    for order, (language, title, body) in enumerate(PRESETS):
        model.objects.get_or_create(language=language, title=title, defaults={"body": body, "sort_order": order})
