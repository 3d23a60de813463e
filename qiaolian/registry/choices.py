"""Code lists of the registry (DOMAIN.md §3). Labels are the terms used on survey forms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "U", _("未说明")


class Category(models.TextChoices):
    RETURNEE = "returnee", _("归侨")
    RELATIVE = "relative", _("侨眷")
    OVERSEAS_CHINESE = "overseas_chinese", _("华侨")
    FOREIGN_CHINESE = "foreign_chinese", _("外籍华人")
    HK_MACAO = "hk_macao", _("港澳同胞")
    HK_MACAO_RELATIVE = "hk_macao_relative", _("港澳同胞眷属")
    STUDENT_ABROAD = "student_abroad", _("留学人员")
    RETURNED_STUDENT = "returned_student", _("留学回国人员")
    STUDENT_RELATIVE = "student_relative", _("留学人员家属")
    OTHER = "other", _("其他")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
    HK_MACAO_RESIDENCE = "hk_macao_residence", _("港澳台居民居住证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
    FOREIGNER_PERMANENT = "foreigner_permanent", _("外国人永久居留身份证")
    OTHER = "other", _("其他证件")


class EmigrationPeriod(models.TextChoices):
    BEFORE_1979 = "before_1979", _("1978年底以前")
    SINCE_1979 = "since_1979", _("1979年以后")


class Education(models.TextChoices):
    NONE = "none", _("未上学")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class Occupation(models.TextChoices):
    STUDENT = "student", _("学生")
    TEACHER = "teacher", _("高校教师")
    EMPLOYEE = "employee", _("公司职员")
    OFFICIAL = "official", _("政府机构人员")
    FREELANCE = "freelance", _("自由职业者")
    PROFESSIONAL = "professional", _("专业人士")
    ENTREPRENEUR = "entrepreneur", _("民营企业主或合伙人")
    RESEARCHER = "researcher", _("科研人员")
    RETIRED = "retired", _("离退休人员")
    OTHER = "other", _("其他")


class Industry(models.TextChoices):
    AGRICULTURE = "agriculture", _("农业")
    HEAVY = "heavy", _("重工业")
    LIGHT = "light", _("轻工业")
    EDUCATION = "education", _("教育")
    REAL_ESTATE = "real_estate", _("房地产")
    FINANCE = "finance", _("金融")
    INTERNET = "internet", _("互联网")
    BIOMED = "biomed", _("生物医药")
    HIGH_TECH = "high_tech", _("高新科技")
    RESEARCH = "research", _("科研")
    OTHER = "other", _("其他")


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", _("中共党员")
    CPC_PROBATIONARY = "cpc_probationary", _("中共预备党员")
    CYL = "cyl", _("共青团员")
    RCCK = "rcck", _("民革党员")
    CDL = "cdl", _("民盟盟员")
    CNDCA = "cndca", _("民建会员")
    CAPD = "capd", _("民进会员")
    CPWDP = "cpwdp", _("农工党党员")
    CZGP = "czgp", _("致公党党员")
    JS = "js", _("九三学社社员")
    TDSL = "tdsl", _("台盟盟员")
    NON_PARTISAN = "non_partisan", _("无党派人士")
    MASSES = "masses", _("群众")


class Hardship(models.TextChoices):
    ALONE = "alone", _("孤寡")
    ELDERLY = "elderly", _("高龄")
    ILL = "ill", _("患病")
    DISABLED = "disabled", _("残疾")
    LOW_INCOME = "low_income", _("低保/低收入")
    ILLNESS_POVERTY = "illness_poverty", _("因病致贫")
    INCAPACITATED = "incapacitated", _("失能")
    OTHER = "other", _("其他")


class LivingStatus(models.TextChoices):
    LIVING = "living", _("健在")
    DECEASED = "deceased", _("已故")
    MOVED_AWAY = "moved_away", _("已迁出")


class Verification(models.TextChoices):
    SELF_REPORTED = "self_reported", _("本人申报")
    EVIDENCE_PENDING = "evidence_pending", _("待补材料")
    UNDER_REVIEW = "under_review", _("审核中")
    VERIFIED = "verified", _("已核实")
    DISPUTED = "disputed", _("有争议")
    REJECTED = "rejected", _("不予认定")
    LAPSED = "lapsed", _("已失效")


class Source(models.TextChoices):
    SURVEY = "survey", _("入户调查")
    SELF_DECLARED = "self_declared", _("个人申报")
    IMPORT = "import", _("批量导入")
    STAFF = "staff", _("工作人员录入")


class HouseholdRelation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    CHILD_SPOUSE = "child_spouse", _("子女配偶")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class RelativeRelation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    FATHER = "father", _("父")
    MOTHER = "mother", _("母")
    SON = "son", _("子")
    DAUGHTER = "daughter", _("女")
    CHILD_SPOUSE = "child_spouse", _("子女配偶")
    BROTHER = "brother", _("兄弟")
    SISTER = "sister", _("姐妹")
    GRANDPARENT = "grandparent", _("祖父母")
    MATERNAL_GRANDPARENT = "maternal_grandparent", _("外祖父母")
    GRANDCHILD = "grandchild", _("孙子女")
    MATERNAL_GRANDCHILD = "maternal_grandchild", _("外孙子女")
    SUPPORT = "support", _("扶养关系亲属")


class RelativeStatus(models.TextChoices):
    OVERSEAS_CHINESE = "overseas_chinese", _("华侨")
    FOREIGN_CHINESE = "foreign_chinese", _("外籍华人")
    RETURNEE = "returnee", _("归侨")
    STUDENT_ABROAD = "student_abroad", _("留学人员")
    HK_MACAO = "hk_macao", _("港澳同胞")


class EmigrationMode(models.TextChoices):
    SETTLEMENT = "settlement", _("定居/移民")
    STUDY = "study", _("留学")
    LABOUR = "labour", _("劳务")
    BUSINESS = "business", _("投资经商")
    MARRIAGE = "marriage", _("婚姻")
    OTHER = "other", _("其他")


class TieState(models.TextChoices):
    ACTIVE = "active", _("有效")
    ENDED_DIVORCE = "ended_divorce", _("因离婚终止")
    ENDED_SUPPORT = "ended_support", _("扶养关系终止")
    RELATIVE_DECEASED = "relative_deceased", _("亲属已故（侨眷身份保留）")


ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
    "其他",
    "外国血统中国籍人士",
]
ETHNICITY_CHOICES = [(e, e) for e in ETHNICITIES]
