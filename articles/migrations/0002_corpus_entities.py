"""Every install starts with the people and organisations of the first article.

The seed data and the loader are frozen here as they were when this migration
was written (a copy of articles/data/entities.json and of
articles.entities.load_entities), so editing that file or that function never
changes what this migration does. Re-apply an edited file with
`manage.py load_entities`.
"""

from datetime import date

from django.db import migrations

ENTITIES = {
    "about": "The people and organisations of the first article (the Taobao/Tmall reorganisation). Aliases are the other spellings found in imported text: literal machine translations, Chinese order and Chinese characters.",
    "organizations": [
        {
            "name": "Alibaba Group",
            "slug": "alibaba-group",
            "parent": None,
            "aliases": ["Alibaba", "Ali Group", "Alibaba Group Holding", "阿里巴巴", "阿里巴巴集团"],
            "description": "Chinese technology group whose shopping platforms include Taobao and Tmall.",
        },
        {
            "name": "China Digital Commerce",
            "slug": "china-digital-commerce",
            "parent": "alibaba-group",
            "aliases": ["digital commerce in China", "China digital commerce", "中国数字商业"],
            "description": "Alibaba's domestic shopping businesses, led by Dai Shan since December 2021.",
        },
        {
            "name": "International Digital Commerce",
            "slug": "international-digital-commerce",
            "parent": "alibaba-group",
            "aliases": ["Overseas digital commerce", "international digital commerce", "海外数字商业"],
            "description": "Alibaba's shopping businesses outside China, including AliExpress and Lazada.",
        },
        {
            "name": "Big Taobao",
            "slug": "big-taobao",
            "parent": "china-digital-commerce",
            "aliases": ["Big Amoy Department", "大淘宝"],
            "description": "Taobao, Tmall and Alimama run as one business.",
        },
        {
            "name": "Industrial Operation and Development Center",
            "slug": "industrial-operation-development-center",
            "parent": "big-taobao",
            "aliases": [
                "industrial operation development center",
                "industrial operation and development center",
                "产业运营发展中心",
            ],
            "description": "Serves merchants, industry by industry.",
        },
        {
            "name": "Platform Strategy and Operation Center",
            "slug": "platform-strategy-operation-center",
            "parent": "big-taobao",
            "aliases": ["platform strategy center", "platform strategy and operation center", "平台策略中心"],
            "description": "Runs the platform's rules and mechanisms for merchants and consumers alike.",
        },
        {
            "name": "User Operation and Development Center",
            "slug": "user-operation-development-center",
            "parent": "big-taobao",
            "aliases": [
                "user operation development center",
                "user operation and development center",
                "用户运营发展中心",
            ],
            "description": "Looks after the consumer's experience from the product side.",
        },
        {
            "name": "Taobao",
            "slug": "taobao",
            "parent": "big-taobao",
            "aliases": ["淘宝"],
            "description": "Alibaba's consumer marketplace for small and medium-sized merchants.",
        },
        {
            "name": "Tmall",
            "slug": "tmall",
            "parent": "big-taobao",
            "aliases": ["天猫"],
            "description": "Alibaba's marketplace for brands.",
        },
        {
            "name": "Alimama",
            "slug": "alimama",
            "parent": "big-taobao",
            "aliases": ["Ali Mama", "Ali's mother", "阿里妈妈"],
            "description": "Alibaba's marketing and advertising platform.",
        },
        {
            "name": "Taobao Live",
            "slug": "taobao-live",
            "parent": "china-digital-commerce",
            "aliases": ["Taobao live broadcast", "淘宝直播"],
            "description": "Live-stream shopping on Taobao.",
        },
        {
            "name": "Taote",
            "slug": "taote",
            "parent": "china-digital-commerce",
            "aliases": ["Amoy special", "淘特"],
            "description": "Factory-direct, value-for-money shopping app.",
        },
        {
            "name": "Taocaicai",
            "slug": "taocaicai",
            "parent": "china-digital-commerce",
            "aliases": ["Taobao Caicai", "Amoy Caicai", "淘菜菜"],
            "description": "Community group-buying service for groceries.",
        },
        {
            "name": "1688",
            "slug": "1688",
            "parent": "china-digital-commerce",
            "aliases": ["1688.com"],
            "description": "Alibaba's domestic wholesale marketplace.",
        },
        {
            "name": "Cainiao",
            "slug": "cainiao",
            "parent": "alibaba-group",
            "aliases": ["Cainiao Network", "菜鸟"],
            "description": "Alibaba's logistics arm.",
        },
    ],
    "people": [
        {
            "name": "Dai Shan",
            "slug": "dai-shan",
            "aliases": ["Daishan", "戴珊"],
            "job_title": "President, China Digital Commerce, Alibaba Group",
            "bio": "One of Alibaba's eighteen co-founders. She took charge of the group's China digital commerce business in December 2021.",
            "roles": [
                {"organization": "china-digital-commerce", "title": "President", "start_date": "2021-12-06"},
            ],
        },
        {
            "name": "Zhang Yong",
            "slug": "zhang-yong",
            "aliases": ["Zhangyong", "Daniel Zhang", "张勇"],
            "job_title": "Chairman and Chief Executive, Alibaba Group",
            "bio": "",
            "roles": [{"organization": "alibaba-group", "title": "Chairman and Chief Executive Officer"}],
        },
        {
            "name": "Fan Jiang",
            "slug": "fan-jiang",
            "aliases": ["Jiang Fan", "蒋凡"],
            "job_title": "President, International Digital Commerce, Alibaba Group",
            "bio": "Ran Taobao and Tmall before Dai Shan; leads Alibaba's international shopping businesses since December 2021.",
            "roles": [
                {
                    "organization": "international-digital-commerce",
                    "title": "President",
                    "start_date": "2021-12-06",
                },
            ],
        },
        {
            "name": "Lu Su",
            "slug": "lu-su",
            "aliases": ["Lusu"],
            "job_title": "Chief Technology Officer, Alibaba Group",
            "bio": "",
            "roles": [
                {"organization": "alibaba-group", "title": "Chief Technology Officer"},
                {"organization": "big-taobao", "title": "Chief Technology Officer"},
            ],
        },
        {
            "name": "Daofang",
            "slug": "daofang",
            "aliases": ["Dao Fang", "道放"],
            "job_title": "Head of Taobao Live",
            "bio": "",
            "roles": [{"organization": "taobao-live", "title": "Head"}],
        },
        {
            "name": "Jia Luo",
            "slug": "jia-luo",
            "aliases": ["Jialuo", "家洛"],
            "job_title": "Head of Alimama",
            "bio": "",
            "roles": [{"organization": "alimama", "title": "Head"}],
        },
        {
            "name": "Xuande",
            "slug": "xuande",
            "aliases": ["publicizing morality", "宣德"],
            "job_title": "Head of the User Operation and Development Center, Big Taobao",
            "bio": "Machine translations render his name literally as \"publicizing morality\".",
            "roles": [{"organization": "user-operation-development-center", "title": "Head"}],
        },
        {
            "name": "Sixin",
            "slug": "sixin",
            "aliases": ["thinking letter", "思心"],
            "job_title": "Head of the Platform Strategy and Operation Center, Big Taobao",
            "bio": "Machine translations render the name literally as \"thinking letter\".",
            "roles": [{"organization": "platform-strategy-operation-center", "title": "Head"}],
        },
        {
            "name": "Chuixue",
            "slug": "chuixue",
            "aliases": ["blowing snow", "吹雪"],
            "job_title": "Head of the Industrial Operation and Development Center, Big Taobao",
            "bio": "Machine translations render the name literally as \"blowing snow\".",
            "roles": [{"organization": "industrial-operation-development-center", "title": "Head"}],
        },
        {
            "name": "Qiancheng",
            "slug": "qiancheng",
            "aliases": ["千城"],
            "job_title": "Head of content shopping (Guangguang), Taobao",
            "bio": "Machine translations sometimes render the name as \"Future\", a word too common to match on.",
            "roles": [{"organization": "taobao", "title": "Head of content shopping (Guangguang)"}],
        },
    ],
}


def load_entities(apps, data):
    """Create or update the entities in data with the historical models; existing rows are matched by slug."""
    Person = apps.get_model("articles", "Person")
    PersonAlias = apps.get_model("articles", "PersonAlias")
    Organization = apps.get_model("articles", "Organization")
    OrganizationAlias = apps.get_model("articles", "OrganizationAlias")
    Role = apps.get_model("articles", "Role")
    orgs = {}
    for item in data["organizations"]:
        org, _ = Organization.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "description": item.get("description", ""),
                "parent": orgs.get(item["parent"]) if item.get("parent") else None,
            },
        )
        orgs[org.slug] = org
        for alias in item.get("aliases", []):
            OrganizationAlias.objects.get_or_create(organization=org, name=alias)
    for item in data["people"]:
        person, _ = Person.objects.update_or_create(
            slug=item["slug"],
            defaults={"name": item["name"], "job_title": item.get("job_title", ""), "bio": item.get("bio", "")},
        )
        for alias in item.get("aliases", []):
            PersonAlias.objects.get_or_create(person=person, name=alias)
        for role in item.get("roles", []):
            start = role.get("start_date")
            Role.objects.get_or_create(
                person=person,
                organization=orgs[role["organization"]],
                title=role["title"],
                defaults={"start_date": date.fromisoformat(start) if start else None},
            )


def forwards(apps, schema_editor):
    load_entities(apps, ENTITIES)


class Migration(migrations.Migration):
    """Every install starts with the people and organisations of the first article."""

    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
