from __future__ import annotations

from django.test import Client

from xinfang.testing.world import PASSWORD, World


def test_the_login_page_is_in_chinese(db: None) -> None:
    page = Client().get("/login/").content.decode()
    assert "工作人员登录" in page and "用户名" in page and "密码" in page


def test_the_workbench_requires_a_login(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_handler_logs_in_and_sees_their_post(world: World) -> None:
    client = Client()
    response = client.post("/login/", {"username": "handler", "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert "工作台" in page
    assert "示例市住房和城乡建设局" in page and "承办人" in page


def test_a_wrong_password_shows_the_form_again_with_a_message(world: World) -> None:
    response = Client().post("/login/", {"username": "handler", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_a_citizen_is_sent_to_the_citizen_portal_instead(world: World) -> None:
    response = Client().post("/login/", {"username": "citizen", "password": PASSWORD})
    assert response.status_code == 200
    assert "群众账号不能登录工作台" in response.content.decode()


def test_logging_out_returns_to_the_login_page(world: World) -> None:
    client = Client()
    client.force_login(world.handler)
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
