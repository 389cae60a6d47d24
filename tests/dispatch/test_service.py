"""Proposals: the model's department with its evidence, the district office for 属地 services, triage, no model."""
from __future__ import annotations

from dispatch.router import Router
from dispatch.service import propose
from tests.dispatch.conftest import MODEL_NAME


def test_model_proposes_a_department_with_confidence_alternatives_terms_and_version(services, model_store):
    proposal = propose(services, "小区停水两天了，自来水一直没来，请尽快恢复供水")
    data = proposal.as_json()
    assert data["department"] == {"code": "water", "name": "市水务集团"}
    assert data["service"]["code"] in {"water-outage", "water-account"}
    assert 0.55 <= data["confidence"] <= 1
    assert len(data["alternatives"]) == 2 and all(a["department"]["code"] != "water" for a in data["alternatives"])
    assert data["alternatives"][0]["confidence"] >= data["alternatives"][1]["confidence"]
    assert any("水" in term for term in data["top_terms"])
    assert data["model"] == MODEL_NAME and data["model_version"] == model_store.info(MODEL_NAME).version
    assert data["needs_triage"] is False and data["rule"] is None


def test_local_service_goes_to_the_office_of_the_district_named_in_the_address(services, model_store):
    text = "物业公司乱收物业费，业委会也不管，小区门禁坏了半年没人修"
    in_a3 = propose(services, text, "A3区梅溪湖金茂小区")
    assert in_a3.service.code == "property-management" and in_a3.service.handling == "local"
    assert in_a3.department.code == "dist_a3" and in_a3.as_json()["district"] == "A3区"
    assert "属地A3区" in in_a3.reason
    nowhere = propose(services, text)  # no district known: the lead department
    assert nowhere.department.code == "housing" and nowhere.district is None


def test_district_is_recognised_from_the_text_when_there_is_no_address(services, model_store):
    proposal = propose(services, "我家在A7县星沙街道的小区，物业费乱涨价，业委会不作为")
    assert proposal.as_json()["district"] == "A7县"
    assert proposal.department.code == "dist_a7"


def test_city_wide_service_stays_with_its_department_wherever_it_happened(services, model_store):
    proposal = propose(services, "出租车司机拒载还绕路，多收了三十块钱车费", "A3区火车站")
    assert proposal.department.code == "transport"


def test_low_confidence_needs_a_dispatcher(services, model_store):
    services.dispatch = Router(services.catalogue, services.settings.model_store_dir, min_confidence=0.999)
    proposal = propose(services, "我想反映一个情况，不知道该找谁")
    assert proposal.needs_triage and proposal.confidence < 0.999
    assert "需人工分派" in proposal.reason


def test_without_a_model_the_catalogue_keywords_propose_and_a_dispatcher_decides(services):
    proposal = propose(services, "楼道里的路灯坏了一个月")
    data = proposal.as_json()
    assert data["model_version"] is None and data["needs_triage"] is True
    assert data["department"]["code"] == "urban_management" and data["service"]["code"] == "street-lights"
    assert "路灯" in data["top_terms"] and data["confidence"] == 0
    nothing = propose(services, "嗯嗯好的")
    assert nothing.department is None and nothing.needs_triage


def test_a_department_that_returned_the_ticket_is_not_proposed_again(services, model_store):
    text = "小区停水两天了，自来水一直没来"
    proposal = propose(services, text, exclude=["water"])
    assert proposal.department.code != "water"
    assert all(choice.department.code != "water" for choice in proposal.alternatives)


def test_a_model_that_fails_to_predict_does_not_stop_routing(services, model_store, monkeypatch):
    loaded = services.dispatch.model()

    def broken(text):
        raise AttributeError("pickled by older code")

    monkeypatch.setattr(loaded.classifier, "predict", broken)
    proposal = propose(services, "楼道里的路灯坏了一个月")
    assert proposal.department.code == "urban_management" and proposal.needs_triage
    assert "模型未给出可用建议" in proposal.reason


def test_labels_that_end_at_one_district_office_add_up(services, monkeypatch):
    from dispatch.classifier import Prediction
    from dispatch.router import LoadedModel
    from dispatch.store import ModelInfo

    class Fixed:  # a stand-in model whose ranking is known
        def predict(self, text):
            ranked = (("housing", 0.5), ("urban_management", 0.3), ("water", 0.2))
            return Prediction("housing", 0.5, ranked, ("物业费",))

    info = ModelInfo("fixed", "v1", "0" * 64, ("housing", "urban_management", "water"), None, 3)
    monkeypatch.setattr(services.dispatch, "model", lambda: LoadedModel(info, Fixed()))
    proposal = propose(services, "物业费乱收，小区垃圾没人清运", "A3区咸嘉湖")
    assert proposal.department.code == "dist_a3" and abs(proposal.confidence - 0.8) < 1e-9
    assert [(c.department.code, round(c.confidence, 2)) for c in proposal.alternatives] == [("water", 0.2)]
