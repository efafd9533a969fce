from django.contrib.auth.management import create_permissions
from django.db import migrations

# codename lists per group; "*" means every permission of that app label.
ROLES = {
    "Writer": {
        "articles": ["add_article", "change_article", "view_article", "view_category", "view_person",
                     "view_organization", "view_role", "view_correction"],
        "taggit": ["view_tag", "add_tag"],
    },
    "Editor": {
        "articles": ["*"],
        "taggit": ["*"],
    },
    "Admin": {
        "articles": ["*"],
        "taggit": ["*"],
        "auth": ["*"],
        "admin": ["*"],
    },
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrations; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            permissions = Permission.objects.filter(content_type__app_label=app_label)
            if codenames != ["*"]:
                permissions = permissions.filter(codename__in=codenames)
            group.permissions.add(*permissions)


class Migration(migrations.Migration):
    """Writer (drafts only), Editor (publishes, edits anything), Admin (also users and settings)."""

    dependencies = [
        ("articles", "0004_site_state"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
