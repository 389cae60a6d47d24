"""Recognising the district of a demand from realistic addresses and messages."""
from __future__ import annotations

import pytest

from config.catalogue import load_catalogue
from config.districts import DistrictRecogniser, recognise_district


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def recogniser(catalogue):
    return DistrictRecogniser(catalogue)


IN_TEXT = {
    "named with the city": ("A市A3区梅溪湖某小区物业乱收费，业主多次反映无果", "A3区"),
    "county": ("A7县星沙街道某路口红绿灯时间太短，行人过不去", "A7县"),
    "county-level city": ("A9市集里街道农贸市场摊位费上涨", "A9市"),
    "renamed county written as 县市": ("我是A8县市流沙河镇的村民，村里道路坑洼", "A8县"),
    "only a street is named": ("泉塘街道某小区门口占道经营严重", "A7县"),
    "only a landmark is named": ("月亮岛附近夜间施工噪音扰民", "A6区"),
    "named district confirmed by its own street beats the first named": (
        "我户口在A7县，现在在A3区西湖街道租房，房东不退押金", "A3区"),
    "first named when none is confirmed": ("A1区和A5区交界处的路灯长期不亮", "A1区"),
    "explicit name beats an earlier place": ("在星沙上班，家住A4区，小区垃圾无人清运", "A4区"),
    "bare alias before punctuation": ("本人住A3，想咨询公租房申请条件", "A3区"),
    "full-width characters": ("Ａ５区洞井街道某工地夜间施工", "A5区"),
}

NOT_A_DISTRICT = {
    "building number": "我是保利香槟国际A6栋的业主，楼下烧烤店油烟扰民",
    "buildings with two digits": "谷山乐园A10栋、A12、A13栋的外廊漏雨",
    "paper size": "物业仅用一张A4纸提示停水",
    "car model": "克GL8奥迪A6都是几十万一台",
    "number plate": "楚A3F52P7长期占用消防通道",
    "another city's district": "K1区某学校乱收费",
    "the city only": "A市出租车拒载现象严重",
    "letter grades": "成绩4A1B可以进名校，2A1B则不行",
}


@pytest.mark.parametrize("text, expected", IN_TEXT.values(), ids=IN_TEXT.keys())
def test_the_district_is_found_in_the_text(recogniser, text, expected):
    assert recogniser.recognise(text).name == expected


@pytest.mark.parametrize("text", NOT_A_DISTRICT.values(), ids=NOT_A_DISTRICT.keys())
def test_buildings_cars_and_other_cities_are_not_districts(recogniser, text):
    assert recogniser.recognise(text) is None


def test_a1_is_not_found_inside_a11(recogniser):
    assert recogniser.recognise("A11区") is None
    assert recogniser.recognise("A11区和A1区").name == "A1区"


def test_the_address_wins_over_the_text(recogniser):
    text = "我在A3区上班，反映家门口下水道堵塞"
    assert recogniser.recognise(text, address="A7县泉塘街道某小区").name == "A7县"


def test_a_place_in_the_address_wins_over_a_district_in_the_text(recogniser):
    assert recogniser.recognise("A7县的亲戚来看我", address="梅溪湖某小区3栋").name == "A3区"


def test_the_first_district_of_the_address_wins(recogniser):
    assert recogniser.recognise("", address="A5区洞井街道某路（靠近A1区）").name == "A5区"


@pytest.mark.parametrize("address, expected", [("A3", "A3区"), ("A9 某镇某村", "A9市"), ("a2区暮云街道", "A2区")])
def test_bare_and_hand_written_aliases_in_the_address(recogniser, address, expected):
    assert recogniser.recognise("", address=address).name == expected


def test_a_building_in_the_address_falls_back_to_the_text(recogniser):
    assert recogniser.recognise("A4区四方坪商贸城", address="A7栋").name == "A4区"


def test_the_function_gives_the_same_answer_and_the_office(catalogue):
    district = recognise_district("A3区含浦某工地扬尘", catalogue=catalogue)
    assert district.name == "A3区"
    assert catalogue.department(district.office).name == "A3区人民政府"
    assert recognise_district("", catalogue=catalogue) is None
