"""Journey 1 (DESIGN §1): a vendor fills in an impact disclosure, gets an inline error and fixes
it, attaches evidence, submits, then amends it as a new version; the page's figures equal the
API's, and a refused save changes nothing."""

from tests.conftest import PDF, TEST_PASSWORD, disclosure_form_fields, valid_document


def _type(page, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        field = page.locator(f'#disclosure-form [name="{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def test_a_vendor_discloses_fixes_an_error_attaches_evidence_submits_and_amends(
    journey, make_vendor, tmp_path
):
    vendor, user = make_vendor("Delta Digital")
    page = journey.page
    disclosure_id = journey.start_draft(user.email, TEST_PASSWORD)

    document = valid_document()
    fields = disclosure_form_fields(
        document, new_site_row=False
    )  # the new draft's one site row is typed in
    wrong = fields | {"workforce.impact_workers_end": 500}  # more than the headcount of 115
    _type(page, wrong)
    journey.shot("filled-with-a-mistake")
    page.get_by_role("button", name="Save draft").click()
    error = page.locator("#workforce-impact_workers_end-error")
    error.wait_for()
    journey.shot("inline-error")
    assert "employees at period end" in error.inner_text().lower()
    assert page.locator("#workforce-impact_workers_end").get_attribute("aria-invalid") == "true"
    saved = journey.api(f"/api/v1/disclosures/{disclosure_id}")
    assert saved["workforce"].get("impact_workers_end") is None  # the refused save changed nothing

    page.locator("#workforce-impact_workers_end").fill("55")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_selector("text=Saved")
    saved = journey.api(f"/api/v1/disclosures/{disclosure_id}")
    assert (
        saved["workforce"]["impact_workers_end"] == 55
        and saved["wages"][0]["site"] == "Nairobi CBD"
    )

    # a figure typed and not saved is kept when a file is attached: attaching saves it
    page.locator("#training-employees_trained").fill("96")
    payroll = tmp_path / "payroll-2025.pdf"
    payroll.write_bytes(PDF)
    page.get_by_label("File (PDF, PNG, JPEG, CSV or XLSX").set_input_files(str(payroll))
    page.locator(".upload-form").get_by_label("Section").select_option("wages")
    page.get_by_role("button", name="Attach file").click()
    page.wait_for_selector("text=payroll-2025.pdf")
    journey.shot("evidence-attached")
    evidence = journey.api(f"/api/v1/disclosures/{disclosure_id}/evidence")
    assert [e["filename"] for e in evidence] == ["payroll-2025.pdf"] and evidence[0][
        "section"
    ] == "wages"
    saved = journey.api(f"/api/v1/disclosures/{disclosure_id}")
    assert saved["training"]["employees_trained"] == 96
    assert page.locator("#training-employees_trained").input_value() == "96"

    page.once(
        "dialog", lambda dialog: dialog.accept()
    )  # "Submit version 1? It can no longer be edited"
    page.get_by_role("button", name="Save and submit").click()
    page.wait_for_selector("text=Amend: start version 2")
    journey.shot("submitted")
    submitted = journey.api(f"/api/v1/disclosures/{disclosure_id}")
    assert submitted["state"] == "submitted" and submitted["number"] == 1

    page.get_by_role("button", name="Amend: start version 2").click()
    page.wait_for_selector("#disclosure-form")
    amended_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert amended_id != disclosure_id
    page.locator('[name="training.training_hours_impact_workers"]').fill("2600")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Save and submit").click()
    page.wait_for_selector("text=Amend: start version 3")
    journey.shot("amended")
    versions = journey.api(f"/api/v1/disclosures/{amended_id}/versions")
    assert [(v["number"], v["state"]) for v in versions] == [(1, "submitted"), (2, "submitted")]
    assert (
        journey.api(f"/api/v1/disclosures/{amended_id}")["training"][
            "training_hours_impact_workers"
        ]
        == 2600
    )
    assert (
        journey.api(f"/api/v1/disclosures/{disclosure_id}")["training"][
            "training_hours_impact_workers"
        ]
        == 2400
    )
