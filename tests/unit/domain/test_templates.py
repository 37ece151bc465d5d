from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.content import (
    Currency,
    DateTime,
    MediaParameter,
    Template,
    TemplateComponentParameters,
    TemplateLanguage,
    TemplateParameter,
)
from domain.errors import InvalidTemplate, TemplateNotSendable, TemplateParametersMismatch
from domain.template_parameters import (
    ExpectedParameters,
    check_send_parameters,
    expected_parameters,
    render_preview,
)
from domain.templates import (
    MessageTemplate,
    NamedExample,
    TemplateButton,
    TemplateCategory,
    TemplateComponent,
    TemplateExample,
    TemplateQuality,
    TemplateStatus,
    placeholders,
    validate_template,
    with_quality,
    with_status,
)


def body(text: str, *examples: str) -> TemplateComponent:
    example = TemplateExample(body_text=[list(examples)]) if examples else None
    return TemplateComponent(type="BODY", text=text, example=example)


def named_body(text: str, **examples: str) -> TemplateComponent:
    named = [NamedExample(param_name=name, example=value) for name, value in examples.items()]
    return TemplateComponent(type="BODY", text=text, example=TemplateExample(body_text_named_params=named))


def text_header(text: str, *examples: str) -> TemplateComponent:
    example = TemplateExample(header_text=list(examples)) if examples else None
    return TemplateComponent(type="HEADER", format="TEXT", text=text, example=example)


def footer(text: str) -> TemplateComponent:
    return TemplateComponent(type="FOOTER", text=text)


def buttons(*items: TemplateButton) -> TemplateComponent:
    return TemplateComponent(type="BUTTONS", buttons=list(items))


QUICK = TemplateButton(type="QUICK_REPLY", text="Stop")
SHOP = TemplateButton(type="URL", text="Shop", url="https://shop.example/p/{{1}}", example=["summer"])
CALL = TemplateButton(type="PHONE_NUMBER", text="Call us", phone_number="15550051310")
COUPON = TemplateButton(type="COPY_CODE", example=["25OFF"])
HOME = TemplateButton(type="URL", text="Home", url="https://x.example")
ORDER_BODY = body("Hi {{1}}, your order {{2}} has shipped.", "Jessica", "SK-9")


def template(*components: TemplateComponent, **fields: object) -> MessageTemplate:
    defaults: dict[str, object] = {
        "name": "order_update",
        "language": "en_US",
        "category": TemplateCategory.UTILITY,
        "status": TemplateStatus.APPROVED,
    }
    return MessageTemplate(components=list(components) or [ORDER_BODY], **(defaults | fields))  # type: ignore[arg-type]


def text(value: str, name: str | None = None) -> TemplateParameter:
    return TemplateParameter(type="text", text=value, parameter_name=name)


def send(*components: TemplateComponentParameters, name: str = "order_update") -> Template:
    return Template(name=name, language=TemplateLanguage(code="en_US"), components=list(components))


def send_body(*params: TemplateParameter) -> TemplateComponentParameters:
    return TemplateComponentParameters(type="body", parameters=list(params))


def send_button(index: int, sub_type: str, param: TemplateParameter) -> TemplateComponentParameters:
    return TemplateComponentParameters(type="button", sub_type=sub_type, index=index, parameters=[param])


def refusal(error: type[Exception], make: MessageTemplate | None = None, sent: Template | None = None) -> str:
    with pytest.raises(error) as raised:
        if sent is None:
            validate_template(make or template())
        else:
            check_send_parameters(make or template(), sent)
    return str(raised.value)


# Creation rules


def test_a_well_formed_template_with_every_component_is_accepted() -> None:
    validate_template(
        template(text_header("Order {{1}}", "SK-9"), ORDER_BODY, footer("Reply STOP"), buttons(QUICK, SHOP, CALL))
    )


@pytest.mark.parametrize("name", ["Order_Update", "order-update", "order update", ""])
def test_names_outside_lowercase_letters_digits_and_underscore_are_refused(name: str) -> None:
    assert "may hold only lowercase letters, digits and underscores" in refusal(InvalidTemplate, template(name=name))


def test_names_longer_than_512_characters_are_refused() -> None:
    made = template(name="a" * 513)
    assert refusal(InvalidTemplate, made) == "template name is 513 characters; Meta allows at most 512"


@pytest.mark.parametrize("language", ["en_US", "en", "pt_BR", "fil"])
def test_locale_codes_are_accepted_as_language(language: str) -> None:
    validate_template(template(language=language))


@pytest.mark.parametrize("language", ["english", "EN_us", "en-US", ""])
def test_languages_that_are_not_locale_codes_are_refused(language: str) -> None:
    assert "is not a locale code" in refusal(InvalidTemplate, template(language=language))


@pytest.mark.parametrize("components", [[footer("Thanks")], [ORDER_BODY, ORDER_BODY]])
def test_a_template_needs_exactly_one_body(components: list[TemplateComponent]) -> None:
    assert "exactly one BODY" in refusal(InvalidTemplate, template(*components))


def test_two_headers_are_refused() -> None:
    made = template(text_header("Hello"), text_header("Again"), ORDER_BODY)
    assert refusal(InvalidTemplate, made) == "a template may have at most one HEADER component, got 2"


def test_body_longer_than_1024_characters_is_refused() -> None:
    made = template(body("x" * 1100))
    assert refusal(InvalidTemplate, made) == "body text is 1100 characters; Meta allows at most 1024"


def test_header_text_longer_than_60_characters_is_refused() -> None:
    made = template(text_header("x" * 61), ORDER_BODY)
    assert refusal(InvalidTemplate, made) == "header text is 61 characters; Meta allows at most 60"


def test_header_text_with_two_parameters_is_refused() -> None:
    made = template(text_header("{{1}} and {{2}}!", "a", "b"), ORDER_BODY)
    assert refusal(InvalidTemplate, made) == "header text has 2 parameters; Meta allows at most 1"


@pytest.mark.parametrize("media", ["IMAGE", "VIDEO", "DOCUMENT", "LOCATION"])
def test_media_and_location_headers_are_accepted(media: str) -> None:
    validate_template(template(TemplateComponent(type="HEADER", format=media), ORDER_BODY))  # type: ignore[arg-type]


def test_footer_longer_than_60_characters_is_refused() -> None:
    made = template(ORDER_BODY, footer("x" * 61))
    assert refusal(InvalidTemplate, made) == "footer text is 61 characters; Meta allows at most 60"


def test_footer_with_a_parameter_is_refused() -> None:
    made = template(ORDER_BODY, footer("Bye {{1}}"))
    assert "footer text may not contain parameters" in refusal(InvalidTemplate, made)


def test_more_than_ten_buttons_are_refused() -> None:
    made = template(ORDER_BODY, buttons(*[QUICK] * 10, CALL))
    assert refusal(InvalidTemplate, made) == "template has 11 buttons; Meta allows at most 10"


@pytest.mark.parametrize(
    ("button", "count", "limit"),
    [(SHOP, 3, 2), (CALL, 2, 1), (COUPON, 2, 1)],
)
def test_each_button_type_has_its_own_limit(button: TemplateButton, count: int, limit: int) -> None:
    made = template(ORDER_BODY, buttons(*[button] * count))
    assert refusal(InvalidTemplate, made) == f"template has {count} {button.type} buttons; Meta allows at most {limit}"


def test_button_label_longer_than_25_characters_is_refused() -> None:
    made = template(ORDER_BODY, buttons(TemplateButton(type="QUICK_REPLY", text="x" * 26)))
    assert refusal(InvalidTemplate, made) == "button 0 (QUICK_REPLY) text is 26 characters; Meta allows at most 25"


def test_url_longer_than_2000_characters_is_refused() -> None:
    made = template(ORDER_BODY, buttons(TemplateButton(type="URL", text="Shop", url="https://x.example/" + "a" * 2000)))
    assert "url is 2018 characters; Meta allows at most 2000" in refusal(InvalidTemplate, made)


@pytest.mark.parametrize(
    ("url", "refused"),
    [("https://x.example/{{1}}/{{2}}", "has 2 parameters"), ("https://x.example/{{1}}/track", "at the end")],
)
def test_url_has_at_most_one_variable_at_its_end(url: str, refused: str) -> None:
    made = template(ORDER_BODY, buttons(TemplateButton(type="URL", text="Track", url=url, example=["a"])))
    assert refused in refusal(InvalidTemplate, made)


def test_phone_number_longer_than_20_characters_is_refused() -> None:
    made = template(ORDER_BODY, buttons(TemplateButton(type="PHONE_NUMBER", text="Call", phone_number="1" * 21)))
    assert "phone_number is 21 characters; Meta allows at most 20" in refusal(InvalidTemplate, made)


def test_quick_replies_followed_by_a_url_are_accepted() -> None:
    validate_template(template(ORDER_BODY, buttons(QUICK, QUICK, SHOP)))


def test_quick_replies_split_by_another_button_are_refused() -> None:
    made = template(ORDER_BODY, buttons(QUICK, SHOP, QUICK))
    assert "quick-reply buttons must be grouped together" in refusal(InvalidTemplate, made)


@pytest.mark.parametrize("text", ["Hi {{1}}, order {{3}} shipped.", "Hi {{2}}, order {{3}} shipped."])
def test_positional_placeholders_must_be_numbered_from_one_without_gaps(text: str) -> None:
    made = template(body(text, "a", "b"))
    assert "without gaps" in refusal(InvalidTemplate, made)


def test_named_placeholders_are_accepted_in_a_named_template() -> None:
    validate_template(template(named_body("Hi {{first_name}}, see you.", first_name="Pablo"), parameter_format="named"))


@pytest.mark.parametrize(
    ("text", "parameter_format"),
    [
        ("Hi {{1}} and {{first_name}}.", "positional"),
        ("Hi {{first_name}} and {{1}}.", "named"),
        ("Hi {{First}}.", "named"),
    ],
)
def test_placeholders_that_do_not_fit_the_parameter_format_are_refused(text: str, parameter_format: str) -> None:
    made = template(body(text, "a", "b"), parameter_format=parameter_format)
    assert "Meta refuses mixing the two formats" in refusal(InvalidTemplate, made)


@pytest.mark.parametrize(
    "text", ["{{1}} your order shipped.", "Your order shipped, {{1}}", "  {{1}} shipped  ", "Hi {{1}}\n"]
)
def test_a_parameter_may_not_start_or_end_the_body(text: str) -> None:
    assert "may not start or end with a parameter" in refusal(InvalidTemplate, template(body(text, "a")))


@pytest.mark.parametrize("text", ["Hi {{1}}{{2}} there.", "Hi {{1}} {{2}} there."])
def test_adjacent_placeholders_are_refused(text: str) -> None:
    assert "two adjacent parameters" in refusal(InvalidTemplate, template(body(text, "a", "b")))


@pytest.mark.parametrize(
    ("made", "refused"),
    [
        (template(body("Hi {{1}}, order {{2}} shipped.", "Jessica")), "example.body_text gives 1 values"),
        (
            template(named_body("Hi {{first_name}}, {{order}} now.", first_name="Pablo"), parameter_format="named"),
            "no example for {{order}} in example.body_text_named_params",
        ),
        (template(text_header("Order {{1}}"), ORDER_BODY), "example.header_text gives 0 values"),
    ],
)
def test_every_placeholder_needs_an_example(made: MessageTemplate, refused: str) -> None:
    message = refusal(InvalidTemplate, made)
    assert refused in message and "Meta requires an example for every parameter" in message


def test_a_url_variable_needs_an_example() -> None:
    made = template(ORDER_BODY, buttons(TemplateButton(type="URL", text="Shop", url="https://x.example/{{1}}")))
    assert "no example" in refusal(InvalidTemplate, made)


def test_an_authentication_body_carries_exactly_one_parameter() -> None:
    made = template(ORDER_BODY, category=TemplateCategory.AUTHENTICATION)
    assert "exactly one parameter, the code" in refusal(InvalidTemplate, made)
    validate_template(template(body("Your code is {{1}}.", "123456"), category=TemplateCategory.AUTHENTICATION))


# Placeholders and expectations


def test_placeholders_are_listed_in_order_of_appearance() -> None:
    assert placeholders("{{2}} then {{first_name}} then {{1}}") == ["2", "first_name", "1"]


def test_expected_parameters_describe_each_component() -> None:
    made = template(
        text_header("Order {{1}}", "SK-9"), ORDER_BODY, buttons(QUICK, SHOP, HOME, COUPON)
    )
    assert expected_parameters(made) == ExpectedParameters(
        named=False,
        header_text=("1",),
        body=("1", "2"),
        url_suffix_buttons=frozenset({1}),
        quick_reply_buttons=frozenset({0}),
        copy_code_buttons=frozenset({3}),
    )


def test_expected_parameters_name_a_media_header_kind() -> None:
    made = template(TemplateComponent(type="HEADER", format="IMAGE"), ORDER_BODY)
    assert expected_parameters(made).header_media == "image"


# Send-side rules


def test_a_send_that_fits_is_accepted() -> None:
    check_send_parameters(template(), send(send_body(text("Jessica"), text("SK-9"))))


@pytest.mark.parametrize("status", [s for s in TemplateStatus if s is not TemplateStatus.APPROVED])
def test_only_approved_templates_can_be_sent(status: TemplateStatus) -> None:
    message = refusal(TemplateNotSendable, template(status=status), send(send_body(text("a"), text("b"))))
    assert message == f"template 'order_update' (en_US) is {status}; Meta only sends APPROVED templates"


def test_a_send_of_another_template_is_refused() -> None:
    assert "not template 'order_update'" in refusal(TemplateNotSendable, template(), send(name="welcome"))


def test_a_wrong_count_of_body_parameters_is_refused() -> None:
    message = refusal(TemplateParametersMismatch, template(), send(send_body(text("Jessica"))))
    assert message == "body of template 'order_update' (en_US) expects 2 parameters, got 1"


def test_a_wrong_count_of_header_parameters_is_refused() -> None:
    made = template(text_header("Order {{1}}", "SK-9"), ORDER_BODY)
    sent = send(send_body(text("a"), text("b")))
    message = refusal(TemplateParametersMismatch, made, sent)
    assert message == "header of template 'order_update' (en_US) expects 1 parameter, got 0"


NAMED_BODY = named_body("Hi {{first_name}}, order {{order}} shipped.", first_name="Pablo", order="SK-9")
NAMED = template(NAMED_BODY, parameter_format="named")


@pytest.mark.parametrize(
    ("params", "refused"),
    [
        ([text("Pablo", "first_name")], "expects parameter_name 'order'"),
        ([text("Pablo", "first_name"), text("SK-9", "order"), text("x", "coupon")], "no parameter named 'coupon'"),
        ([text("Pablo", "first_name"), text("SK-9", "first_name")], "'first_name' is given more than once"),
        ([text("Pablo"), text("SK-9")], "parameter 1 has no parameter_name"),
    ],
)
def test_named_parameters_must_name_each_placeholder_once(params: list[TemplateParameter], refused: str) -> None:
    assert refused in refusal(TemplateParametersMismatch, NAMED, send(send_body(*params)))


def test_named_parameters_may_come_in_any_order() -> None:
    check_send_parameters(NAMED, send(send_body(text("SK-9", "order"), text("Pablo", "first_name"))))


def test_a_named_send_to_a_positional_template_is_refused() -> None:
    sent = send(send_body(text("Jessica", "first_name"), text("SK-9", "order")))
    assert "uses positional parameters" in refusal(TemplateParametersMismatch, template(), sent)


def test_a_media_header_needs_a_parameter_of_its_kind() -> None:
    made = template(TemplateComponent(type="HEADER", format="IMAGE"), ORDER_BODY)
    video = TemplateParameter(type="video", video=MediaParameter(id="42"))
    sent = send(TemplateComponentParameters(type="header", parameters=[video]), send_body(text("a"), text("b")))
    message = refusal(TemplateParametersMismatch, made, sent)
    assert message.endswith("has format IMAGE and needs one image parameter, got video")


@pytest.mark.parametrize(
    "param",
    [TemplateParameter(type="text"), TemplateParameter(type="currency", text="5 USD")],
)
def test_a_parameter_without_the_value_its_type_names_is_refused(param: TemplateParameter) -> None:
    sent = send(send_body(param, text("SK-9")))
    assert f"has type {param.type} but no {param.type} value" in refusal(TemplateParametersMismatch, template(), sent)


def test_a_media_parameter_needs_an_id_or_a_link() -> None:
    made = template(TemplateComponent(type="HEADER", format="DOCUMENT"), ORDER_BODY)
    empty = TemplateParameter(type="document", document=MediaParameter(filename="invoice.pdf"))
    sent = send(TemplateComponentParameters(type="header", parameters=[empty]), send_body(text("a"), text("b")))
    assert "needs an id or a link" in refusal(TemplateParametersMismatch, made, sent)


WITH_BUTTONS = template(ORDER_BODY, buttons(QUICK, SHOP, HOME))
ORDER_PARAMS = send_body(text("Jessica"), text("SK-9"))


def test_url_button_suffix_and_quick_reply_payload_are_accepted() -> None:
    payload = TemplateParameter(type="payload", payload="STOP_42")
    sent = send(ORDER_PARAMS, send_button(0, "quick_reply", payload), send_button(1, "url", text("summer")))
    check_send_parameters(WITH_BUTTONS, sent)


@pytest.mark.parametrize(
    ("index", "refused"), [(2, "has a fixed URL"), (0, "is a QUICK_REPLY button"), (5, "has no button 5")]
)
def test_a_url_parameter_for_a_button_that_is_not_a_dynamic_url_is_refused(index: int, refused: str) -> None:
    sent = send(ORDER_PARAMS, send_button(1, "url", text("summer")), send_button(index, "url", text("x")))
    assert refused in refusal(TemplateParametersMismatch, WITH_BUTTONS, sent)


def test_a_dynamic_url_button_needs_its_suffix() -> None:
    message = refusal(TemplateParametersMismatch, WITH_BUTTONS, send(ORDER_PARAMS))
    assert message == "button 1 of template 'order_update' (en_US) is a URL button and needs a parameter in the send"


def test_a_copy_code_button_needs_a_coupon_code() -> None:
    made = template(ORDER_BODY, buttons(COUPON))
    sent = send(ORDER_PARAMS, send_button(0, "copy_code", text("25OFF")))
    assert "needs one coupon_code parameter, got text" in refusal(TemplateParametersMismatch, made, sent)


def test_parameters_for_a_component_without_placeholders_are_refused() -> None:
    sent = send(TemplateComponentParameters(type="header", parameters=[text("Hi")]), ORDER_PARAMS)
    message = refusal(TemplateParametersMismatch, template(), sent)
    assert message == "header of template 'order_update' (en_US) expects 0 parameters, got 1"


def test_a_repeated_component_is_refused() -> None:
    message = refusal(TemplateParametersMismatch, template(), send(ORDER_PARAMS, ORDER_PARAMS))
    assert "repeats its body component" in message


def test_a_template_without_placeholders_accepts_a_send_without_components() -> None:
    check_send_parameters(template(body("Thanks for your order!")), send())


# Preview


def test_preview_fills_placeholders_with_examples_and_lists_buttons() -> None:
    made = template(footer("Reply STOP"), ORDER_BODY, text_header("Order {{1}}", "SK-9"), buttons(QUICK, SHOP))
    assert render_preview(made) == (
        "Order SK-9\n\nHi Jessica, your order SK-9 has shipped.\n\nReply STOP\n\n[Stop]\n[Shop]"
    )


def test_preview_of_a_send_uses_text_and_fallback_values() -> None:
    made = template(body("Hi {{1}}, you owe {{2}} by {{3}}."))
    price = TemplateParameter(type="currency", currency=Currency(fallback_value="$5.00", code="USD", amount_1000=5000))
    due = TemplateParameter(type="date_time", date_time=DateTime(fallback_value="May 1"))
    assert render_preview(made, send(send_body(text("Jo"), price, due))) == "Hi Jo, you owe $5.00 by May 1."


def test_preview_of_a_named_send_fills_by_name() -> None:
    sent = send(send_body(text("SK-9", "order"), text("Pablo", "first_name")))
    assert render_preview(NAMED, sent) == "Hi Pablo, order SK-9 shipped."


def test_preview_shows_a_media_header_by_its_kind() -> None:
    made = template(TemplateComponent(type="HEADER", format="IMAGE"), body("Thanks!"))
    assert render_preview(made) == "(image)\n\nThanks!"


# Status and quality webhooks


REVIEWED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_rejection_keeps_meta_s_reason() -> None:
    rejected = with_status(template(status=TemplateStatus.PENDING), TemplateStatus.REJECTED, "INVALID_FORMAT", REVIEWED_AT)
    assert (rejected.status, rejected.rejected_reason) == (TemplateStatus.REJECTED, "INVALID_FORMAT")


def test_any_other_status_clears_the_reason() -> None:
    rejected = template(status=TemplateStatus.REJECTED, rejected_reason="INVALID_FORMAT")
    approved = with_status(rejected, TemplateStatus.APPROVED, "NONE", REVIEWED_AT)
    assert (approved.status, approved.rejected_reason) == (TemplateStatus.APPROVED, None)


def test_a_status_update_older_than_the_last_one_applied_changes_nothing() -> None:
    paused = with_status(template(), TemplateStatus.PAUSED, None, REVIEWED_AT + timedelta(hours=3))

    late_approval = with_status(paused, TemplateStatus.APPROVED, None, REVIEWED_AT)

    assert late_approval.status is TemplateStatus.PAUSED


def test_quality_updates_replace_the_score_unless_older() -> None:
    red = with_quality(template(), TemplateQuality.RED, REVIEWED_AT + timedelta(hours=1))

    assert red.quality is TemplateQuality.RED
    assert with_quality(red, TemplateQuality.GREEN, REVIEWED_AT).quality is TemplateQuality.RED


# Property


NAMES = ["first_name", "order", "city", "coupon"]


@st.composite
def body_templates_and_sends(draw: st.DrawFn) -> tuple[MessageTemplate, Template]:
    named = draw(st.booleans())
    k = draw(st.integers(0, 4))
    keys = NAMES[:k] if named else [str(i) for i in range(1, k + 1)]
    text_ = "Dear " + " and ".join("{{" + key + "}}" for key in keys) + " - thanks."
    made = template(body(text_), parameter_format="named" if named else "positional")
    fitting = st.permutations(keys).map(lambda order: [text("v", key if named else None) for key in order])
    anything = st.lists(st.builds(text, st.just("v"), st.none() | st.sampled_from(NAMES)), max_size=5)
    params = draw(fitting if draw(st.booleans()) else anything)
    omit = not params and draw(st.booleans())
    return made, send() if omit else send(send_body(*params))


def well_formed(made: MessageTemplate, sent: Template) -> bool:
    expected = placeholders(made.components[0].text or "")
    given = [p.parameter_name for c in sent.components for p in c.parameters]
    if made.parameter_format == "named":
        return sorted(given, key=str) == sorted(expected)
    return len(given) == len(expected) and all(name is None for name in given)


@given(body_templates_and_sends())
def test_template_parameter_checking_accepts_exactly_the_well_formed_sends(
    case: tuple[MessageTemplate, Template],
) -> None:
    made, sent = case
    try:
        check_send_parameters(made, sent)
        accepted = True
    except TemplateParametersMismatch:
        accepted = False
    assert accepted == well_formed(made, sent)
