"""Publishing rights per branch: editors submit to moderation, administrators approve; a branch's
editors cannot touch another branch's pages."""

from wagtail.models import Page, WorkflowState

from home.models import ArticlePage
from organizations.models import StaffRole


def _edit_url(page):
    return f"/admin/pages/{page.pk}/edit/"


def _form(page, **extra):
    data = {"title": page.title, "slug": page.slug, "summary": "", "author": "", "source": "", "domain": "",
            "tags": "", "body-count": "0", "comments-TOTAL_FORMS": "0", "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0", "comments-MAX_NUM_FORMS": "1000"}
    data.update(extra)
    return data


def test_branch_editors_cannot_edit_another_branchs_pages(content, tree, make_staff, client_for):
    gz_editor = client_for(make_staff(tree.guangzhou, StaffRole.EDITOR))
    assert gz_editor.get(_edit_url(content.article)).status_code == 200
    r = gz_editor.get(_edit_url(content.sz_article))
    assert r.status_code in (302, 403)
    r = gz_editor.post(_edit_url(content.sz_article), _form(content.sz_article, title="被篡改"))
    assert r.status_code in (302, 403)
    assert Page.objects.get(pk=content.sz_article.pk).title == "深圳青年创业大赛开幕"
    assert ArticlePage.objects.get(pk=content.sz_article.pk).get_latest_revision().content["title"] != "被篡改"
    # …nor the other branch's home (logo, banner, colour, navigation)
    assert gz_editor.get(_edit_url(tree.shenzhen.branch)).status_code in (302, 403)


def test_editor_submits_and_branch_admin_approves(content, tree, make_staff, client_for):
    editor = make_staff(tree.guangzhou, StaffRole.EDITOR)
    admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    page = content.article
    workflow = page.get_workflow()
    assert workflow is not None and "广州" in workflow.name

    # The editor cannot publish directly: "publish" just saves a draft.
    r = client_for(editor).post(_edit_url(page), _form(page, title="编辑改稿", **{"action-publish": "1"}))
    assert r.status_code in (200, 302)
    assert Page.objects.get(pk=page.pk).title == "广州启动青年之声服务周"

    r = client_for(editor).post(_edit_url(page), _form(page, title="编辑改稿", **{"action-submit": "1"}))
    assert r.status_code == 302, r.content[:2000]
    state = WorkflowState.objects.get(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    task_state = state.current_task_state
    assert admin.groups.filter(pk__in=task_state.task.specific.groups.all()).exists()
    assert not editor.groups.filter(pk__in=task_state.task.specific.groups.all()).exists()

    r = client_for(admin).post(
        f"/admin/pages/{page.pk}/edit/",
        _form(page, title="编辑改稿", **{"action-workflow-action": "true", "workflow-action-name": "approve"}),
    )
    assert r.status_code == 302, r.content[:2000]
    page.refresh_from_db()
    assert page.title == "编辑改稿" and page.live


def test_sub_branch_has_its_own_workflow_approved_by_it_and_above(tree):
    tianhe = tree.tianhe.branch
    wf = tianhe.get_workflow()
    assert "天河" in wf.name
    groups = set(wf.tasks.first().specific.groups.values_list("pk", flat=True))
    assert {tree.tianhe.admins_group_id, tree.guangzhou.admins_group_id, tree.province.admins_group_id} == groups
    assert tree.shenzhen.admins_group_id not in groups
