"""DELETE of instances, series and studies: 204, then 404 on retrieval and gone from QIDO."""

import pytest
import requests

from conftest import make_instance, new_uid


def status_of(call):
    try:
        call()
    except requests.HTTPError as e:
        return e.response.status_code
    return 200


@pytest.fixture
def study(client):
    """One study: series S1 with two instances, series S2 with one."""
    st, s1, s2 = new_uid(), new_uid(), new_uid()
    dss = [make_instance(study=st, series=s1, InstanceNumber=1, PatientID="E2E-DEL"),
           make_instance(study=st, series=s1, InstanceNumber=2, PatientID="E2E-DEL"),
           make_instance(study=st, series=s2, InstanceNumber=1, PatientID="E2E-DEL")]
    client.store_instances(dss)
    return st, s1, s2, dss


def test_delete_instance_series_study(study, client, server, http):
    st, s1, s2, (a, b, c) = study
    inst_url = f"{server.url}/studies/{st}/series/{s1}/instances/{a.SOPInstanceUID}"

    r = http.delete(inst_url)
    assert r.status_code == 204, r.text
    assert http.get(inst_url).status_code == 404
    assert http.get(inst_url + "/metadata").status_code == 404
    assert http.delete(inst_url).status_code == 404
    left = client.search_for_instances(st, s1)
    assert [x["00080018"]["Value"][0] for x in left] == [b.SOPInstanceUID]
    [found] = client.search_for_studies(search_filters={"StudyInstanceUID": st},
                                        fields=["NumberOfStudyRelatedInstances"])
    assert found["00201208"]["Value"][0] == 2

    client.delete_series(st, s1)
    assert status_of(lambda: client.retrieve_series(st, s1)) == 404
    assert status_of(lambda: client.retrieve_instance(st, s1, b.SOPInstanceUID)) == 404
    assert [x["0020000E"]["Value"][0] for x in client.search_for_series(st)] == [s2]
    # the other series is intact
    assert client.retrieve_instance(st, s2, c.SOPInstanceUID) == c

    client.delete_study(st)
    assert status_of(lambda: client.retrieve_study(st)) == 404
    assert status_of(lambda: client.retrieve_study_metadata(st)) == 404
    assert client.search_for_studies(search_filters={"StudyInstanceUID": st}) == []
    assert client.search_for_instances(search_filters={"SOPInstanceUID": c.SOPInstanceUID}) == []
    assert http.delete(f"{server.url}/studies/{st}").status_code == 404


def test_delete_instance_with_client(study, client):
    st, s1, s2, (a, b, c) = study
    client.delete_instance(st, s2, c.SOPInstanceUID)
    assert status_of(lambda: client.retrieve_instance(st, s2, c.SOPInstanceUID)) == 404
    # the last instance of a series gone: the series is gone too
    assert sorted(x["0020000E"]["Value"][0] for x in client.search_for_series(st)) == [s1]


def test_store_again_after_delete(study, client):
    st, s1, s2, (a, b, c) = study
    client.delete_study(st)
    client.store_instances([a])
    assert client.retrieve_instance(st, s1, a.SOPInstanceUID) == a
    assert len(client.search_for_instances(st)) == 1
