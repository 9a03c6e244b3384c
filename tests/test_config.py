from pathlib import Path

import pytest

from service import config
from service.errors import ConfigError


def test_config_toml_lists_every_setting_with_its_default():
    committed = (config.PROJECT_ROOT / "config.toml").read_text(encoding="utf-8")
    assert committed == config.render_default_toml(), "regenerate config.toml from service/config.py"


def test_loading_the_committed_file_gives_the_defaults():
    assert config.load(config.PROJECT_ROOT / "config.toml", env={}) == config.defaults()


def test_relative_paths_resolve_against_the_config_file(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('[paths]\ndata_dir = "archive"\n', encoding="utf-8")
    assert config.load(path).data_dir == tmp_path / "archive"


def test_environment_variable_names_the_file(tmp_path):
    path = tmp_path / "env.toml"
    path.write_text("[search]\ndefault_k = 7\n", encoding="utf-8")
    assert config.load(env={"JIANSUO_CONFIG": str(path)}).search_default_k == 7


@pytest.mark.parametrize("text, names", [
    ("[search]\ndefualt_k = 3\n", "search.defualt_k"),
    ("[serach]\ndefault_k = 3\n", "[serach]"),
    ("[bm25]\nk1 = \"high\"\n", "bm25.k1"),
    ("[bm25]\nb = 1.5\n", "bm25.b"),
    ("[search]\nmax_k = 0\n", "search.max_k"),
    ("[analysis]\nopencc = \"s2t\"\n", "analysis.opencc"),
    ("[analysis]\nlowercase = 1\n", "analysis.lowercase"),
    ("[paths]\ndata_dir = \"\"\n", "paths.data_dir"),
    ("[search\n", "not valid TOML"),
])
def test_bad_settings_fail_naming_the_key(tmp_path, text, names):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        config.load(path)
    assert names in info.value.message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(tmp_path / "nope.toml")


def test_integer_accepted_where_a_float_is_expected(tmp_path):
    path = tmp_path / "k1.toml"
    path.write_text("[bm25]\nk1 = 2\n", encoding="utf-8")
    loaded = config.load(path)
    assert loaded.bm25_k1 == 2.0 and isinstance(loaded.bm25_k1, float)


def test_non_utf8_config_is_refused(tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes("[paths]\ndata_dir = \"档案\"\n".encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        config.load(Path(path))


def test_the_admin_token_comes_from_the_environment_before_the_file(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('[server]\nadmin_token = "from-the-file"\n', encoding="utf-8")
    assert config.load(path, env={}).server_admin_token == "from-the-file"
    assert config.load(path, env={"JIANSUO_ADMIN_TOKEN": " from-env "}).server_admin_token == "from-env"
    assert config.load(path, env={"JIANSUO_ADMIN_TOKEN": ""}).server_admin_token == ""
    assert config.defaults().server_admin_token == ""
    assert "from-the-file" not in repr(config.load(path, env={}))


@pytest.mark.parametrize("token", ["with space", "令牌", "tab\there"])
def test_an_admin_token_that_cannot_travel_in_a_header_is_refused(tmp_path, token):
    with pytest.raises(ConfigError, match=r"\$JIANSUO_ADMIN_TOKEN must be printable ASCII"):
        config.load(env={"JIANSUO_ADMIN_TOKEN": token})
    path = tmp_path / "site.toml"
    path.write_text(f'[server]\nadmin_token = "{token}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="server.admin_token"):
        config.load(path, env={})


def test_the_cluster_settings_resolve_the_catalog_and_keep_the_replicas(tmp_path):
    (tmp_path / "build").mkdir()
    path = tmp_path / "c.toml"
    path.write_text('[cluster]\ncatalog = "build"\nreplicas = [["10.0.0.1:7000", "10.0.0.2:7000"], '
                    '["10.0.0.3:7000", "10.0.0.2:7000"]]\n', encoding="utf-8")
    loaded = config.load(path)
    assert loaded.cluster_catalog == tmp_path / "build"
    assert loaded.cluster_replicas == (("10.0.0.1:7000", "10.0.0.2:7000"), ("10.0.0.3:7000", "10.0.0.2:7000"))
    assert config.defaults().cluster_catalog is None and config.defaults().cluster_replicas == ()


@pytest.mark.parametrize("text, names", [
    ('catalog = "build"\n', "cluster.catalog and cluster.replicas go together"),
    ('replicas = [["h:1"]]\n', "cluster.catalog and cluster.replicas go together"),
    ('catalog = "nowhere"\nreplicas = [["h:1"]]\n', "cluster.catalog: directory"),
    ('catalog = "build"\nreplicas = [["h:1", "h:2"], ["h:3"]]\n', "cluster.replicas[1] lists 1 shards"),
    ('catalog = "build"\nreplicas = [["h"]]\n', "cluster.replicas[0]: 'h' is not \"host:port\""),
    ('catalog = "build"\nreplicas = [["h:65533"]]\n', "a port from 1 to 65531"),
    ('catalog = "build"\nreplicas = ["h:1"]\n', "cluster.replicas[0] must be a non-empty list"),
    ('catalog = "build"\nreplicas = [[]]\n', "cluster.replicas[0] must be a non-empty list"),
    ('replicas = "h:1"\n', "config cluster.replicas must be list"),
])
def test_bad_cluster_settings_fail_naming_the_problem(tmp_path, text, names):
    (tmp_path / "build").mkdir()
    path = tmp_path / "c.toml"
    path.write_text("[cluster]\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as failure:
        config.load(path)
    assert names in failure.value.message
