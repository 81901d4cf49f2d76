import json


def test_grid_list_json_names_every_grid_of_the_example(town_cli):
    r = town_cli("grid", "list", "-f", "json")
    assert r.exit_code == 0, r.output
    grids = json.loads(r.stdout)
    assert len(grids) == 19
    g = next(x for x in grids if x["id"] == "cj-yh4-g01")
    assert g["community_name"] == "裕鸿佳苑第四社区"
    assert g["branch"] == "cj-yh4-g01-pb"
