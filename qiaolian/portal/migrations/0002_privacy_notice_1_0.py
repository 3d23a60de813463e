# ruff: noqa: E501 — the notice text is prose, one paragraph a line
"""The first privacy notice (version 1.0), so that a fresh installation can take sign-ups.
Later versions are published from the staff pages (/portal-admin/notices/)."""

import datetime as dt

from django.db import migrations

TEXT = """金山侨联服务平台隐私政策

上海市金山区归国华侨联合会（以下简称“区侨联”或“我们”）运营金山侨联服务平台（以下简称“本平台”），为归侨侨眷、海外侨胞及港澳台同胞、海外华裔青少年提供活动报名、夏令营报名、大赛投稿、咨询求助和意见建议等服务。我们依照《中华人民共和国个人信息保护法》等法律法规处理您的个人信息。请您在注册前仔细阅读本政策。

一、我们收集哪些信息
1. 注册信息：电子邮箱或手机号码、密码（仅保存加密后的摘要）、姓名或称呼；选填的出生日期、居住国家/地区和城市、所属街镇侨联。
2. 使用服务时您提供的信息：活动和营期报名信息（如姓名、性别、出生日期、学校、联系方式、证件号码）、参赛作品及其说明、求助和建议的内容及附件。
3. 安全记录：登录时间、来源网络地址、验证码发送与校验记录，用于保护账号安全。
我们不会收集与所提供服务无关的信息。

二、我们如何使用这些信息
1. 开通和管理您的账号，发送验证码，找回密码；
2. 办理您报名的活动、营期，受理大赛投稿并组织评审、公布获奖结果；
3. 受理、转办并答复您的求助和建议；
4. 经工作人员核实身份后，将您的账号与侨情信息关联，以便为您提供服务；
5. 形成不含个人身份的统计数据，用于侨联工作总结。
未经您的同意，我们不会将您的信息用于上述目的以外的用途。

三、敏感个人信息与单独同意
不满十四周岁未成年人的个人信息、证件号码、健康状况等属于敏感个人信息。我们仅在办理相关服务确有必要时处理这些信息，并就此取得您的单独同意；未成年人的信息须取得其监护人的单独同意。

四、未满十四周岁的未成年人
未满十四周岁的未成年人注册或报名，须由其父母或其他监护人阅读本政策，填写监护人姓名、关系和联系方式，并单独勾选同意。监护人可随时查阅、更正、删除未成年人的信息或撤回同意。

五、信息的共享与公开
1. 我们不出售您的个人信息。
2. 为办理您的事项，信息仅在区侨联和您所属（或事项所涉）的街镇侨联工作人员之间按职责使用；需要其他单位协助办理求助事项的，我们会事先告知您并征得同意。
3. 大赛获奖结果公布时，会公开获奖作品、作者姓名和所在国家/地区，不公开联系方式等其他信息；公开展示的作品已去除拍摄位置信息。
4. 法律法规规定须提供的情形除外。

六、保存期限
账号信息在您注销账号后删除或匿名化处理；活动、营期和大赛记录保存至相关工作结束后五年，用于工作统计和档案；安全日志保存不超过一年。法律法规另有规定的，从其规定。

七、安全措施
我们对手机号码、证件号码等信息加密存储、查看留痕；工作人员按职责和所属侨联分级授权访问；密码只保存不可逆的摘要。

八、您的权利
您有权查阅、复制您的个人信息（可在“我的”页面下载全部个人信息），有权更正不准确的信息（修改经工作人员审核后生效），有权要求删除信息、注销账号，有权撤回同意（撤回不影响此前基于同意已进行的处理）。我们将在十五个工作日内答复您的请求。

九、政策更新
本政策更新时，我们会在本平台公布新版本并注明施行日期；新版本施行后您再次登录时，我们会请您阅读并重新确认同意。您此前的同意按原版本记录保存。

十、联系我们
上海市金山区归国华侨联合会
如对个人信息处理有疑问、意见或投诉，可通过本平台“我的—我的请求”提交，或到区侨联办公室咨询。"""

TEXT_EN = """Privacy Notice of the Jinshan Overseas Chinese Service Portal

The Jinshan District Federation of Returned Overseas Chinese, Shanghai ("the Federation", "we") runs the Jinshan Overseas Chinese Service Portal ("the Portal"). Returned overseas Chinese and their relatives, overseas Chinese, compatriots from Hong Kong, Macao and Taiwan, and young people of Chinese descent abroad use it to sign up for activities and camps, enter contests, ask for help and make suggestions. We process your personal information in accordance with the Personal Information Protection Law of the People's Republic of China and related laws. Please read this notice before you sign up.

1. What we collect
(1) Sign-up: your e-mail address or mobile number, your password (only a one-way hash is stored), your name; optionally your date of birth, country/region and city of residence, and your town federation.
(2) What you give us when you use a service: registration details for activities and camps (such as name, sex, date of birth, school, contact details, document number), contest entries and their descriptions, and the content and attachments of requests for help and suggestions.
(3) Security records: login times, network address, and the sending and checking of verification codes, to protect your account.
We do not collect information unrelated to the services we provide.

2. How we use it
(1) To open and manage your account, send verification codes and reset your password;
(2) To handle your registrations for activities and camps, receive and judge contest entries and publish the results;
(3) To receive, refer and answer your requests for help and your suggestions;
(4) After our staff have verified who you are, to link your account to the Federation's records so that we can serve you;
(5) To produce statistics that identify no one, for the Federation's reports.
We do not use your information for any other purpose without your consent.

3. Sensitive personal information and separate consent
The personal information of children under 14, identity document numbers and health information are sensitive personal information. We process them only where a service really needs them, and only with your separate consent; for a child, the separate consent of a parent or guardian.

4. Children under 14
A child under 14 may sign up or register only through a parent or other guardian, who reads this notice, gives their name, relationship and contact details, and ticks a separate box to consent. The guardian may at any time access, correct or delete the child's information or withdraw the consent.

5. Sharing and publication
(1) We do not sell your personal information.
(2) Your information is used only by the staff of the district Federation and of your (or the concerned) town federation, as their duties require. If another body must help with a request, we tell you first and ask for your consent.
(3) When contest results are announced, the awarded works, the author's name and country/region are published; contact details and other information are not. Location data is removed from published works.
(4) Except where the law requires disclosure.

6. How long we keep it
Account information is deleted or anonymised when you close your account. Records of activities, camps and contests are kept for five years after the event for statistics and archives. Security logs are kept for no more than one year. Where the law requires otherwise, the law applies.

7. Security
Mobile numbers, document numbers and similar information are stored encrypted, and every viewing is logged. Staff access is granted by role and by federation. Passwords are stored only as one-way hashes.

8. Your rights
You may access and copy your personal information (download all of it from the "My" pages), have inaccurate information corrected (changes take effect after staff review), have your information deleted and your account closed, and withdraw your consent (withdrawal does not affect processing already carried out on the basis of consent). We answer requests within 15 working days.

9. Changes to this notice
When this notice changes, we publish the new version on the Portal with the date it takes effect. After it takes effect you will be asked to read and confirm it at your next login. Your earlier consent remains recorded under the earlier version.

10. Contact
Jinshan District Federation of Returned Overseas Chinese, Shanghai.
For questions, comments or complaints about how your personal information is handled, submit a request under "My requests" on the Portal, or contact the Federation's office."""


def create_notice(apps, schema_editor):
    PrivacyNotice = apps.get_model("portal", "PrivacyNotice")
    PrivacyNotice.objects.get_or_create(
        version="1.0",
        defaults={
            "text": TEXT,
            "text_en": TEXT_EN,
            "published_at": dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        },
    )


def remove_notice(apps, schema_editor):
    PrivacyNotice = apps.get_model("portal", "PrivacyNotice")
    Consent = apps.get_model("portal", "Consent")
    notice = PrivacyNotice.objects.filter(version="1.0").first()
    if notice is not None and not Consent.objects.filter(notice=notice).exists():
        notice.delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_notice, remove_notice)]
