"""Demo tickets for ``seed_demo``: about 2,000 received over the last 60 days, in every state and kind.

The rows are written with bulk inserts (a few dozen statements, a few seconds on SQLite), not
through the services one ticket at a time. Each ticket's history is *replayed* in memory by
:class:`_Story`, which records what the services in ``tickets/services.py`` record for each action
(the events with their fields and values, the status fields, the version), so the data is what the
workflow would have written: one ``created`` event per ticket, claim or assignment, replies and
notes, work orders with dispatch, arrival and restoration in order, resolution, callbacks with their
attempts, closing and cancelling. The SLA clocks are then started from what the tickets record by
``sla.services.clocks_backfill``, and sweeps raise the warnings and escalations the data calls for.

``created_at``-style columns are ``auto_now_add``: Django's ``pre_save`` overwrites them with the
current time on ``bulk_create`` as well (and on the instances too), so the historic times are
written back afterwards, one ``executemany`` per table (``bulk_update`` builds a CASE per row and is
several times slower).

Deterministic: the same seed and the same ``now`` give the same center.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from sla.services import clocks_backfill
from sla.sweep import sweep
from staff.models import Role, Skill, StaffMember, Unit
from tickets.models import (
    Area,
    Callback,
    CallbackAttempt,
    CallbackOutcome,
    CallbackState,
    CancelReason,
    Channel,
    ComplaintCategory,
    Customer,
    CustomerClass,
    EventKind,
    Kind,
    Priority,
    RoutingRule,
    Status,
    Ticket,
    TicketEvent,
    WorkOrder,
    WorkOrderStatus,
)
from tickets.services import MAX_UNREACHABLE_ATTEMPTS, callback_due_at

TEAM_CODES = ("tech-region-1", "tech-region-2", "reception")
BATCH = 1000

# --- who the customers are and where they live ------------------------------------------------------

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢"
            "钟姜崔谭陆范汪廖石金贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺顾毛郝龚邵万覃武钱戴严莫孔向汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉国志海燕晓东雪梅文博涵欣怡浩然宇轩琪慧俊峰春林凤琴德福成荣淑珍芝"
COMPANY_PLACES = ["宏达", "华兴", "永盛", "金鼎", "瑞丰", "恒通", "新世纪", "东方", "鑫源", "嘉禾", "天成", "盛世",
                  "兴隆", "正大", "汇丰", "长城", "中联", "昌盛"]
COMPANY_TRADES = {
    CustomerClass.LOW_VOLTAGE: ["超市", "餐饮店", "便利店", "汽修厂", "洗浴中心", "幼儿园", "诊所", "五金店"],
    CustomerClass.BUSINESS: ["商贸有限公司", "物业管理有限公司", "酒店", "连锁超市有限公司", "物流有限公司", "商场"],
    CustomerClass.HV_SINGLE: ["机械制造有限公司", "食品有限公司", "纺织有限公司", "塑料制品厂", "建材有限公司"],
    CustomerClass.HV_DUAL: ["人民医院", "数据中心", "化工有限公司", "自来水厂", "钢铁有限公司"],
}
CLASS_WEIGHTS = [(CustomerClass.RESIDENTIAL, 80), (CustomerClass.LOW_VOLTAGE, 9), (CustomerClass.BUSINESS, 6),
                 (CustomerClass.HV_SINGLE, 3), (CustomerClass.HV_DUAL, 1), (CustomerClass.OTHER, 1)]
# Region 1 is the east and north of the city; region 2 the west, the south and the countryside.
ROADS = {1: ["人民路", "建设路", "解放路", "东风路", "光明街", "朝阳路", "北京路"],
         2: ["和平路", "滨江路", "文化路", "胜利街", "长江路", "西湖路", "南环路"]}
ESTATES = ["金色家园", "阳光花园", "翠苑小区", "锦绣华庭", "幸福里", "枫林湾", "丽景湾", "书香门第", "和谐家园",
           "绿地新城", "御景园", "春江花月"]
TOWNS = ["石桥镇", "柳河镇", "白沙镇", "青山乡", "杨店乡", "马集镇"]
VILLAGES = ["王庄村", "李家湾村", "河口村", "新民村", "东岗村", "前进村", "双塘村"]

# --- what they contact the center about -------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    kind: str
    subject: str
    details: tuple[str, ...]  # description templates; placeholders from ``_Customer.facts``
    weight: int = 10
    priority: int = Priority.NORMAL
    category: str = ""  # complaints: a ComplaintCategory
    blame: str = ""  # complaints: "tech" or "reception", the department it may be passed to
    classes: tuple[str, ...] = ()  # the customer classes it concerns (empty: any)
    resolutions: tuple[str, ...] = ()  # how such a matter is settled (default: RESOLUTIONS of the kind)


BUSINESSES = (CustomerClass.LOW_VOLTAGE, CustomerClass.BUSINESS, CustomerClass.HV_SINGLE, CustomerClass.HV_DUAL)
R, C = Kind.REPAIR, Kind.COMPLAINT
TOPICS = [
    # 咨询
    Topic(Kind.INQUIRY, "电费咨询", (
        "客户来电询问{month}电费账单明细，本月电费{amount}元，较上月增加较多，想了解具体构成。",
        "客户询问{month}电费为何比去年同期高，希望核实用电量。"), 30,
          resolutions=("已核实客户近期抄表数据及电费构成，电量增加系季节性用电增多所致，已向客户解释，客户表示认可。",)),
    Topic(Kind.INQUIRY, "阶梯电价咨询", ("客户询问阶梯电价档位如何划分，本月用电{kwh}千瓦时，是否已进入第二档。",), 14,
          resolutions=("已向客户说明阶梯电价分档标准及计算方法，客户表示明白。",)),
    Topic(Kind.INQUIRY, "峰谷分时电价咨询", ("客户家中新购电动汽车，询问峰谷分时电价的办理条件和谷段时间。",), 8,
          resolutions=("已告知峰谷时段划分及办理方式，客户表示将在线上办理。",)),
    Topic(Kind.INQUIRY, "缴费方式咨询", (
        "客户询问除营业厅外还有哪些缴费渠道，能否设置银行代扣。",
        "客户年纪较大，询问能否由子女在手机上代缴电费。"), 12,
          resolutions=("已告知客户营业厅、银行代扣、手机应用等缴费渠道及办理方式。",)),
    Topic(Kind.INQUIRY, "停电计划查询", (
        "客户询问{addr}近期是否有计划停电，需提前安排生产。",
        "客户收到停电通知短信，询问{day}停电的具体时间段和范围。"), 12,
          resolutions=("已查询并告知客户计划停电时间及影响范围。",)),
    Topic(Kind.INQUIRY, "欠费复电咨询", ("客户因欠费被停电，已于今日缴清电费{amount}元，询问多久能恢复送电。",), 8,
          resolutions=("已核实缴费到账并远程复电，已告知客户。",)),
    Topic(Kind.INQUIRY, "电费发票开具咨询", ("客户为企业用户，询问{month}电费增值税专用发票如何开具、多久能取得。",), 5,
          classes=BUSINESSES,
          resolutions=("已告知增值税专用发票开具流程，客户已在线申请。",)),
    Topic(Kind.INQUIRY, "智能电表读数咨询", ("客户看不懂智能电表显示屏上的数字，询问如何查看当前读数和剩余电费。",), 6,
          resolutions=("已指导客户查看电表各项显示内容及剩余电费。",)),
    Topic(Kind.INQUIRY, "过户材料咨询", ("客户购买二手房，询问电费户名变更需要准备哪些材料。",), 5,
          resolutions=("已告知过户所需材料及办理渠道。",)),
    # 投诉
    Topic(C, "服务态度投诉", (
        "客户反映到营业厅办理业务时，工作人员态度冷淡、不耐烦，要求道歉。",
        "客户称来电时坐席人员未听完问题就挂断电话，对服务态度不满。",
        "客户反映抄表人员上门时言语生硬，与客户发生争执。"), 14,
          Priority.HIGH, ComplaintCategory.SERVICE_ATTITUDE, "reception"),
    Topic(C, "抄表异议", (
        "客户对{month}抄表读数有异议，称电表实际读数为{meter}，账单读数明显偏高，怀疑估抄。",
        "客户反映家中长期无人居住，{month}却产生电费{amount}元，对抄表数据有异议。"), 14,
          category=ComplaintCategory.BILLING, blame="reception"),
    Topic(C, "电费异常增长投诉", (
        "客户反映{month}电费{amount}元，是平时的两倍多，用电习惯无变化，怀疑电表计量不准，要求校验电表。",), 12,
          category=ComplaintCategory.BILLING, blame="reception"),
    Topic(C, "频繁停电投诉", (
        "客户反映{addr}近一个月停电{n}次，每次一至两小时，影响正常生活，要求说明原因。",
        "客户为商户，反映近期频繁停电造成经营损失，要求尽快解决。"), 10,
          Priority.HIGH, ComplaintCategory.OUTAGE, "tech"),
    Topic(C, "停电未提前通知", ("客户反映{day}上午突然停电约三小时，事先未收到任何通知，冰箱内食品变质。",), 6,
          category=ComplaintCategory.OUTAGE, blame="tech"),
    Topic(C, "电压不稳投诉", (
        "客户反映近期晚间电压忽高忽低，家中电视机损坏，要求核实并赔偿。",
        "客户反映电压偏低，空调无法正常启动，已持续一周。"), 8,
          category=ComplaintCategory.POWER_QUALITY, blame="tech"),
    Topic(C, "抢修不及时投诉", ("客户反映报修后等待{hours}小时仍无人到场，对抢修时效不满。",), 6,
          Priority.HIGH, ComplaintCategory.AFTER_SALES, "tech"),
    Topic(C, "报装办理超时投诉", ("客户反映新装申请提交已超过十个工作日仍未接电，要求说明原因。",), 5,
          category=ComplaintCategory.AFTER_SALES, blame="reception"),
    Topic(C, "智能电表质量问题", ("客户反映新换的智能电表显示屏不亮，怀疑电表质量有问题。",), 4,
          category=ComplaintCategory.PRODUCT_QUALITY, blame="tech"),
    Topic(C, "营业厅排队时间过长", ("客户反映营业厅只开一个窗口，排队近一个小时，建议增加窗口。",), 3,
          category=ComplaintCategory.OTHER, blame="reception"),
    # 报修
    Topic(R, "停电报修", (
        "客户报修{addr}家中突然停电，邻居家有电，表后开关未跳闸。",
        "客户报修{addr}家中无电，表箱内指示灯不亮。"), 30),
    Topic(R, "整栋楼停电报修", (
        "客户反映{addr}整栋楼停电，已持续约{minutes}分钟，电梯停运。",
        "客户反映小区多栋楼同时停电，疑似线路故障。"), 12, Priority.HIGH),
    Topic(R, "线路断落报修", ("客户报告{addr}附近电线被大风刮断垂落路边，存在触电危险，请求紧急处理。",), 5,
          Priority.URGENT),
    Topic(R, "电表箱冒烟报修", ("客户反映{addr}楼道电表箱冒烟并有焦糊味，已提醒住户远离。",), 4, Priority.URGENT),
    Topic(R, "电压过低报修", ("客户反映晚间电压过低，灯光昏暗，空调、热水器无法启动。",), 8),
    Topic(R, "开关频繁跳闸", ("客户反映表后总开关频繁跳闸，合上后不久又跳开。",), 10),
    Topic(R, "电杆倾斜报修", ("客户反映{addr}路边电杆倾斜，拉线松脱，担心倒杆。",), 3, Priority.HIGH),
    Topic(R, "变压器异响报修", ("客户反映小区配电变压器噪音异常，夜间有放电声。",), 3, Priority.HIGH),
    # 举报
    Topic(Kind.REPORT, "举报窃电行为", ("举报人反映{addr}有住户私自绕越电表用电，要求对举报人身份保密。",), 10,
          Priority.HIGH),
    Topic(Kind.REPORT, "举报违规私拉电线", ("举报人反映有商户从路灯线路私拉电线经营夜市，存在安全隐患。",), 6),
    Topic(Kind.REPORT, "举报工作人员吃拿卡要", ("举报人反映办理新装时有工作人员暗示需要“好处费”才能加快办理。",), 3,
          Priority.HIGH),
    # 业扩报装与业务办理
    Topic(Kind.APPLICATION, "业扩报装申请（居民新装）", ("客户新购住房，申请新装居民生活用电，已提供身份证和房产证复印件。",),
          20, classes=(CustomerClass.RESIDENTIAL,)),
    Topic(Kind.APPLICATION, "充电桩报装申请", ("客户在自有车位安装电动汽车充电桩，申请单独装表。",), 8,
          classes=(CustomerClass.RESIDENTIAL,)),
    Topic(Kind.APPLICATION, "更名过户申请", ("客户购买二手房，申请将电费户名变更为本人，已提交买卖合同。",), 12,
          resolutions=("材料审核通过，已办理户名变更并短信告知客户。",)),
    Topic(Kind.APPLICATION, "峰谷电价变更申请", ("客户申请将计费方式变更为峰谷分时电价。",), 8,
          classes=(CustomerClass.RESIDENTIAL,),
          resolutions=("已变更为峰谷分时计费，自下一抄表周期起执行。",)),
    Topic(Kind.APPLICATION, "电表校验申请", ("客户对电表计量准确性有疑问，申请现场校验电表。",), 8,
          resolutions=("已现场校验电表，误差在允许范围内，已将校验结果告知客户。",)),
    Topic(Kind.APPLICATION, "临时用电申请", ("客户因房屋装修申请临时用电三个月。", "客户举办展销活动，申请临时用电一周。"), 6,
          resolutions=("已完成临时用电装表接电，并告知客户到期拆除事宜。",)),
    Topic(Kind.APPLICATION, "低压非居民新装申请", ("客户新开门店，申请低压非居民用电新装，容量{kva}千伏安。",), 10,
          classes=(CustomerClass.LOW_VOLTAGE, CustomerClass.BUSINESS, CustomerClass.OTHER)),
    Topic(Kind.APPLICATION, "增容申请", ("客户因扩大生产申请由{kva}千伏安增容至{kva2}千伏安。",), 8, classes=BUSINESSES),
    Topic(Kind.APPLICATION, "高压新装申请", ("客户新建厂房，申请高压用电新装，报装容量{kva2}千伏安。",), 6,
          classes=(CustomerClass.HV_SINGLE, CustomerClass.HV_DUAL)),
    # 建议
    Topic(Kind.SUGGESTION, "建议增加线上缴费渠道", ("客户建议在更多手机应用中开通电费缴纳。",), 10, Priority.LOW),
    Topic(Kind.SUGGESTION, "建议计划停电提前短信通知", ("客户建议计划停电至少提前三天短信通知到户。",), 10, Priority.LOW),
    Topic(Kind.SUGGESTION, "建议延长营业厅营业时间", ("客户上班时间无法前往营业厅，建议周末也开放。",), 6, Priority.LOW),
    Topic(Kind.SUGGESTION, "建议优化电费账单", ("客户建议电费账单增加近一年用电量对比图。",), 5, Priority.LOW),
    # 表扬
    Topic(Kind.PRAISE, "表扬抢修人员", ("客户来电表扬抢修人员冒雨及时到场、很快恢复供电。",), 10, Priority.LOW),
    Topic(Kind.PRAISE, "表扬客服人员", ("客户表扬客服人员耐心细致地解答了电费问题。",), 8, Priority.LOW),
    Topic(Kind.PRAISE, "感谢营业厅工作人员", ("客户来信感谢营业厅工作人员主动上门为行动不便的老人办理业务。",), 5,
          Priority.LOW),
]

KIND_WEIGHTS = [(Kind.INQUIRY, 36), (Kind.COMPLAINT, 14), (Kind.REPAIR, 26), (Kind.REPORT, 2),
                (Kind.APPLICATION, 12), (Kind.SUGGESTION, 6), (Kind.PRAISE, 4)]
CHANNEL_WEIGHTS = {
    Kind.INQUIRY: [(Channel.PHONE, 62), (Channel.CHAT, 14), (Channel.WEB, 8), (Channel.WALK_IN, 10),
                   (Channel.EMAIL, 4), (Channel.LETTER, 2)],
    Kind.COMPLAINT: [(Channel.PHONE, 60), (Channel.WALK_IN, 10), (Channel.WEB, 12), (Channel.CHAT, 8),
                     (Channel.EMAIL, 5), (Channel.LETTER, 5)],
    Kind.REPAIR: [(Channel.PHONE, 84), (Channel.CHAT, 8), (Channel.WEB, 6), (Channel.WALK_IN, 2)],
    Kind.REPORT: [(Channel.PHONE, 40), (Channel.LETTER, 25), (Channel.WEB, 20), (Channel.EMAIL, 15)],
    Kind.APPLICATION: [(Channel.WALK_IN, 40), (Channel.WEB, 30), (Channel.PHONE, 20), (Channel.CHAT, 10)],
    Kind.SUGGESTION: [(Channel.PHONE, 40), (Channel.WEB, 25), (Channel.EMAIL, 15), (Channel.LETTER, 10),
                      (Channel.CHAT, 10)],
    Kind.PRAISE: [(Channel.PHONE, 55), (Channel.LETTER, 25), (Channel.WALK_IN, 10), (Channel.WEB, 10)],
}
# Contacts per hour of the day (local time): quiet at night, peaks mid-morning and mid-afternoon;
# faults are reported round the clock.
HOURS = [1, 0.6, 0.4, 0.3, 0.3, 0.6, 1.5, 4, 9, 12, 12, 10, 6, 7, 10, 10, 9, 8, 6, 5, 4, 3, 2, 1.5]
REPAIR_HOURS = [2, 1.5, 1, 1, 1, 1.5, 3, 5, 7, 8, 8, 8, 7, 7, 8, 8, 8, 8, 8, 8, 7, 6, 4, 3]
# How long a matter of each kind usually takes, in hours: how far along a ticket of a given age is.
LIFETIME_HOURS = {Kind.REPAIR: 6, Kind.INQUIRY: 24, Kind.SUGGESTION: 48, Kind.PRAISE: 24, Kind.COMPLAINT: 120,
                  Kind.APPLICATION: 120, Kind.REPORT: 200}
# A few recent tickets in fixed states, so that even a small demo has every kind, status and channel.
COVERAGE = [(Kind.REPAIR, Status.IN_PROGRESS, Channel.PHONE), (Kind.COMPLAINT, Status.PENDING_CUSTOMER, Channel.WALK_IN),
            (Kind.REPORT, Status.RESOLVED, Channel.LETTER), (Kind.APPLICATION, Status.ASSIGNED, Channel.WEB),
            (Kind.SUGGESTION, Status.NEW, Channel.EMAIL), (Kind.PRAISE, Status.CLOSED, Channel.CHAT),
            (Kind.INQUIRY, Status.CANCELLED, Channel.PHONE)]

# --- what the staff write ---------------------------------------------------------------------------

REPLIES = {
    Kind.INQUIRY: ["您好，您咨询的问题已为您查询，详细情况已电话告知，如有疑问请随时来电。",
                   "您好，您的问题我们已收到，正在为您查询核实，稍后答复您。"],
    Kind.COMPLAINT: ["您好，您反映的问题我们已受理并高度重视，将在核实后尽快给您答复。",
                     "您好，您的投诉已转相关部门调查，处理期间我们会与您保持联系。"],
    Kind.REPAIR: ["您好，已为您安排抢修人员，预计一小时内到达现场，请保持电话畅通。",
                  "您好，抢修人员已出发，请注意用电安全，不要自行处理故障。"],
    Kind.REPORT: ["您好，您的举报已受理，我们将依法依规调查，并对您的信息严格保密。"],
    Kind.APPLICATION: ["您好，您的申请已受理，工作人员将在三个工作日内与您联系现场勘查。",
                       "您好，申请资料已收到，正在审核中，审核结果将短信通知您。"],
    Kind.SUGGESTION: ["您好，感谢您的宝贵建议，我们已转交相关部门研究。"],
    Kind.PRAISE: ["您好，感谢您的表扬与认可，我们会将您的肯定转达给相关同事。"],
}
RESOLUTIONS = {
    Kind.INQUIRY: ["已答复客户咨询的问题，客户无其他疑问。"],
    Kind.COMPLAINT: ["经核实情况属实，已向客户致歉并说明整改措施，客户表示接受。",
                     "经调查核实，已按实际读数退补电费，并向客户说明原因。",
                     "已安排专业人员现场检测，问题已整改，客户认可处理结果。"],
    Kind.REPAIR: ["抢修人员到场检查，系{cause}，处理后已恢复供电。"],
    Kind.REPORT: ["经现场核查，举报情况属实，已依规处理并对举报人信息保密。",
                  "经现场核查，未发现举报所述问题，已将核查结果告知举报人。"],
    Kind.APPLICATION: ["已完成现场勘查、装表接电，业务办结。", "资料审核通过，已办结并短信告知客户。"],
    Kind.SUGGESTION: ["建议已转营销部研究，已向客户反馈采纳情况并致谢。"],
    Kind.PRAISE: ["已将表扬转达相关班组，并计入服务质量考核。"],
}
CAUSES = ["表前熔丝熔断", "进户线接头烧损", "低压线路接地故障", "配变低压侧开关跳闸", "树枝碰线造成短路",
          "电缆分支箱故障", "电表故障"]
REPAIR_NOTES = ["抢修班组回报：故障点已找到，正在处理。", "现场需停电作业，已通知受影响用户。",
                "抢修班组回报：需更换配件，已从仓库调拨。"]
NOTES = ["已电话联系客户，约定明天上午上门核实。", "已调取近六个月用电数据比对。", "客户不在家，已短信留言。",
         "已与片区班组沟通，等待现场反馈。", "已转营销部核查抄表数据。", "客户情绪较为激动，已安抚。"]
PAUSE_REASONS = {
    Kind.APPLICATION: ["等待客户补充身份证及房产证明复印件", "等待客户确认现场勘查时间", "等待客户提供用电设备清单"],
    Kind.COMPLAINT: ["等待客户提供电器损坏的购买发票", "等待客户确认上门核查时间", "等待客户提供缴费凭证"],
    Kind.REPAIR: ["等待客户确认上门时间", "客户不在家，等待客户回家开门"],
}
PAUSE_DEFAULT = ["等待客户补充户号和用电地址", "等待客户回电确认具体情况"]
CANCEL_COMMENTS = {CancelReason.DUPLICATE: "客户重复反映，与 {ref} 为同一事项。",
                   CancelReason.SPAM: "无效来电（骚扰电话）。",
                   CancelReason.WITHDRAWN: "客户来电表示问题已自行解决，撤销诉求。"}
INSTRUCTIONS = ["请携带备品备件尽快到场，注意做好安全措施。", "客户反映情况紧急，请立即出发处理。",
                "请到场后先排查表前线路，并及时回报处理进度。"]
RESTORE_NOTES = ["已更换熔丝，恢复供电。", "已重新压接进户线接头，恢复供电。", "已隔离故障线路，恢复供电。",
                 "已处理树障并恢复送电。"]
INVESTIGATIONS = {
    ComplaintCategory.SERVICE_ATTITUDE: "经调取录音及监控核实，工作人员存在服务用语不规范问题。",
    ComplaintCategory.BILLING: "经调取抄表记录核实，该月为估抄，账单读数高于实际读数。",
    ComplaintCategory.OUTAGE: "经核查，该区域线路老化导致多次故障停电。",
    ComplaintCategory.POWER_QUALITY: "经现场测量，晚高峰时段末端电压偏低。",
    ComplaintCategory.AFTER_SALES: "经核实，因当日故障集中，抢修资源调配不及时。",
    ComplaintCategory.PRODUCT_QUALITY: "经检测，电表显示模块故障。",
    ComplaintCategory.OTHER: "经核实，客户反映情况基本属实。",
}
REMEDIES = {
    ComplaintCategory.SERVICE_ATTITUDE: "已对当事人进行批评教育并扣减当月绩效，组织服务规范培训。",
    ComplaintCategory.BILLING: "已按实际读数退补电费，并对抄表员进行考核。",
    ComplaintCategory.OUTAGE: "已列入线路改造计划，近期加强巡视。",
    ComplaintCategory.POWER_QUALITY: "已调整配变分接头并平衡三相负荷。",
    ComplaintCategory.AFTER_SALES: "已优化抢修值班安排，增加高峰时段抢修力量。",
    ComplaintCategory.PRODUCT_QUALITY: "已免费为客户更换电表。",
    ComplaintCategory.OTHER: "已制定整改措施并落实。",
}
REPORT_INVESTIGATION = "已会同用电检查人员现场核查。"
CUSTOMER_REPLY = "已电话向客户说明调查结果及整改措施并致歉，客户表示理解。"
CALLBACK_NOTES = {
    CallbackOutcome.SATISFIED: ["客户对处理结果表示满意。", "客户表示满意，感谢及时处理。"],
    CallbackOutcome.UNSATISFIED: ["客户认为处理时间过长，表示不满意。", "客户对处理结果不认可。"],
    CallbackOutcome.UNREACHABLE: ["电话无人接听。", "客户手机关机。", "占线，稍后再拨。"],
    CallbackOutcome.WRONG_NUMBER: ["号码为空号。", "接听人表示不认识该客户。"],
}


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


# --- routing ----------------------------------------------------------------------------------------


def ensure_routing_rules() -> int:
    """Repairs on the technical business line to region 1, other repairs to region 2, everything
    else to reception. Each rule is added unless an active rule already sends the same to the same team."""
    units = {u.code: u for u in Unit.objects.filter(code__in=TEAM_CODES)}
    if len(units) < len(TEAM_CODES):
        return 0
    technical = Skill.objects.filter(code="technical", kind=Skill.Kind.BUSINESS_LINE).first()
    wanted = [
        RoutingRule(rank=10, name="报修（技术服务）→ 技术服务一片区", kind=Kind.REPAIR, business_line=technical,
                    team=units["tech-region-1"]),
        RoutingRule(rank=20, name="报修 → 技术服务二片区", kind=Kind.REPAIR, team=units["tech-region-2"]),
        RoutingRule(rank=90, name="其余事项 → 接待服务组", team=units["reception"]),
    ]
    missing = [
        rule for rule in wanted
        if not RoutingRule.objects.filter(is_active=True, kind=rule.kind, channel="", customer_class="",
                                          business_line=rule.business_line, team=rule.team).exists()
    ]
    RoutingRule.objects.bulk_create(missing)
    return len(missing)


# --- the cast ---------------------------------------------------------------------------------------


@dataclass
class _Team:
    unit: Unit
    agents: list[StaffMember]
    lead: StaffMember  # assigns the queue, cancels unclaimed tickets, takes callbacks raised to them


def _teams() -> dict[str, _Team] | None:
    """The Shape A teams, each with its agents and its lead (the agents' direct superior)."""
    units = {u.code: u for u in Unit.objects.filter(code__in=TEAM_CODES)}
    if len(units) < len(TEAM_CODES):
        return None
    holders: dict[int, StaffMember] = {}
    for member in (StaffMember.objects.filter(is_active=True, position__isnull=False)
                   .select_related("user", "position").order_by("employee_no")):
        holders.setdefault(member.position_id, member)
    teams = {}
    for code, unit in units.items():
        agents = list(StaffMember.objects.filter(is_active=True, position__unit=unit, position__role=Role.AGENT)
                      .select_related("user", "position").order_by("employee_no"))
        if not agents:
            return None
        teams[code] = _Team(unit, agents, holders.get(agents[0].position.reports_to_id) or agents[0])
    return teams


@dataclass
class _Customer:
    row: Customer
    region: int  # 1 or 2: the technical region that looks after their supply
    address: str

    def facts(self, rng: random.Random, received: datetime) -> dict:
        """Values for a description's placeholders."""
        month = (timezone.localdate(received).replace(day=1) - timedelta(days=rng.choice((1, 32)))).month
        return {
            "addr": self.address, "month": f"{month}月", "amount": f"{rng.uniform(80, 900):.2f}",
            "kwh": rng.randrange(180, 900), "meter": f"{rng.uniform(1000, 30000):.1f}", "n": rng.randrange(3, 8),
            "hours": rng.randrange(3, 9), "minutes": rng.choice((20, 30, 40, 60, 90)),
            "day": f"{rng.randrange(1, 28)}日", "kva": rng.choice((50, 80, 100, 160)),
            "kva2": rng.choice((250, 315, 400, 630, 800)),
        }


def _customers(rng: random.Random, n: int) -> list[_Customer]:
    taken: set[str] = set()  # phone and account numbers are unique among the demo customers

    def unique(make) -> str:
        value = make()
        while value in taken:
            value = make()
        taken.add(value)
        return value

    def mobile() -> str:
        return f"1{rng.choice('358')}{rng.randrange(10**9):09d}"

    def account() -> str:
        return str(rng.randrange(10**9, 10**10))

    result = []
    for _ in range(n):
        klass = _pick(rng, CLASS_WEIGHTS)
        if klass in COMPANY_TRADES:
            name = rng.choice(COMPANY_PLACES) + rng.choice(COMPANY_TRADES[klass])
        elif klass == CustomerClass.OTHER:
            name = rng.choice(ESTATES) + "业主委员会"
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        area = _pick(rng, [(Area.URBAN, 72), (Area.RURAL, 23), (Area.REMOTE, 5)])
        region = 1 if area == Area.URBAN and rng.random() < 0.6 else 2
        if area == Area.URBAN:
            address = f"{rng.choice(ROADS[region])}{rng.randrange(1, 300)}号{rng.choice(ESTATES)}{rng.randrange(1, 30)}栋"
        else:
            address = f"{rng.choice(TOWNS)}{rng.choice(VILLAGES)}{rng.randrange(1, 12)}组"
        has_account = rng.random() < (0.55 if klass == CustomerClass.RESIDENTIAL else 0.95)
        row = Customer(
            name=name, phone=unique(mobile), phone_alt=unique(mobile) if rng.random() < 0.08 else "",
            email=(f"{rng.randrange(10**7, 10**10)}@{rng.choice(('qq.com', '163.com', '126.com'))}"
                   if rng.random() < 0.1 else ""),
            account_no=unique(account) if has_account else "", customer_class=klass, area=area,
        )
        result.append(_Customer(row, region, address))
    return result


# --- one ticket's history ---------------------------------------------------------------------------


@dataclass
class _Story:
    """A ticket's life replayed in memory as the services record it. Times are minutes after
    receipt until :meth:`fit` fits them into the time there was."""

    rng: random.Random
    ticket: Ticket
    topic: Topic
    lead: StaffMember
    t: float = 0.0
    version: int = 1
    events: list[list] = field(default_factory=list)  # [minute, kind, actor user, field, old, new, body]
    times: dict[str, float] = field(default_factory=dict)  # first_response_at, resolved_at, closed_at
    order: dict | None = None  # the work order
    callback: dict | None = None
    duplicate_of: int | None = None  # the index of the ticket this one duplicates
    factor: float = 1.0

    def wait(self, low: float, high: float) -> None:
        self.t += self.rng.uniform(low, high)

    def event(self, kind: str, actor, *, field: str = "", old="", new="", body: str = "") -> None:
        user = actor.user if isinstance(actor, StaffMember) else actor
        self.events.append([self.t, kind, user, field, str(old), str(new), body])

    def set_status(self, target: str, actor, comment: str = "") -> None:
        old, self.ticket.status = self.ticket.status, target
        if target in (Status.RESOLVED, Status.CLOSED):
            self.times[f"{target}_at"] = self.t
        self.event(EventKind.STATUS, actor, field="status", old=old, new=target, body=comment)

    # The workflow actions, as tickets/services.py records them; each bumps the version once.

    def take(self, holder: StaffMember, how: str) -> None:
        if how == "claim":
            self.event(EventKind.CLAIMED, holder, field="assignee", new=holder.name)
            self.set_status(Status.ASSIGNED, holder)
        else:
            self.event(EventKind.ASSIGNED, self.lead, field="assignee", new=holder.name)
            self.set_status(Status.ASSIGNED, self.lead)
        self.version += 1

    def reply(self, body: str) -> None:
        holder = self.ticket.assignee
        self.event(EventKind.REPLY, holder, body=body)
        if self.ticket.status == Status.ASSIGNED:
            self.set_status(Status.IN_PROGRESS, holder)
        self.times.setdefault("first_response_at", self.t)
        self.version += 1

    def start(self) -> None:
        self.set_status(Status.IN_PROGRESS, self.ticket.assignee)
        self.version += 1

    def note(self, body: str) -> None:
        self.event(EventKind.NOTE, self.ticket.assignee, body=body)
        self.version += 1

    def change(self, name: str, value: str) -> None:
        setattr(self.ticket, name, value)
        self.event(EventKind.CHANGED, self.ticket.assignee, field=name, new=value)
        self.version += 1

    def pause(self, reason: str) -> None:
        self.ticket.pause_reason = reason
        self.set_status(Status.PENDING_CUSTOMER, self.ticket.assignee, reason)
        self.version += 1

    def resume(self) -> None:
        self.ticket.pause_reason = ""
        self.set_status(Status.IN_PROGRESS, self.ticket.assignee)
        self.version += 1

    def dispatch(self, instructions: str) -> None:
        holder = self.ticket.assignee
        self.order = {"at": self.t, "instructions": instructions, "status": WorkOrderStatus.DISPATCHED,
                      "event": len(self.events), "by": holder.user}
        # The value names the work order by its id: filled in once the orders are written.
        self.event(EventKind.DISPATCHED, holder, field="work_order", body=instructions)
        if self.ticket.status == Status.ASSIGNED:
            self.set_status(Status.IN_PROGRESS, holder)
        self.version += 1

    def arrive(self) -> None:
        self.order.update(arrived=self.t, status=WorkOrderStatus.ON_SITE)
        self.event(EventKind.WORK_ORDER, self.ticket.assignee, field="arrived_at")  # value: the time, later

    def restore(self, notes: str) -> None:
        self.order.update(restored=self.t, status=WorkOrderStatus.RESTORED, notes=notes)
        self.event(EventKind.WORK_ORDER, self.ticket.assignee, field="restored_at", body=notes)

    def resolve(self, resolution: str) -> None:
        holder = self.ticket.assignee
        self.ticket.resolution = resolution
        self.set_status(Status.RESOLVED, holder, resolution)
        self.times.setdefault("first_response_at", self.t)
        if self.ticket.kind in settings.TICKETS_CALLBACK_KINDS:
            self.callback = {"created": self.t, "attempts": [], "state": CallbackState.DUE, "outcome": "",
                             "completed": None, "raised_to": None, "event": len(self.events)}
            # The body shows when the callback falls due: filled in with the times.
            self.event(EventKind.CALLBACK, holder, field="callback", new=CallbackState.DUE)
        self.version += 1

    def call_back(self, outcome: str) -> None:
        """One callback attempt (回访): a satisfied customer closes the ticket; an unsatisfied one is
        raised to the holder's superior (``callback_attempt(unsatisfied_action="raise")``)."""
        caller = self.ticket.assignee
        attempts = self.callback["attempts"]
        attempts.append((self.t, outcome, self.rng.choice(CALLBACK_NOTES[outcome]), caller.user))
        if outcome != CallbackOutcome.UNREACHABLE or len(attempts) >= MAX_UNREACHABLE_ATTEMPTS:
            done = outcome in (CallbackOutcome.SATISFIED, CallbackOutcome.UNSATISFIED)
            self.callback.update(state=CallbackState.DONE if done else CallbackState.FAILED, outcome=outcome,
                                 completed=self.t)
        self.event(EventKind.CALLBACK, caller, field="callback",
                   new=f"{len(attempts)}: {CallbackOutcome(outcome).label}", body=attempts[-1][2])
        if outcome == CallbackOutcome.SATISFIED:
            self.set_status(Status.CLOSED, caller)
        elif outcome == CallbackOutcome.UNSATISFIED:
            self.callback["raised_to"] = self.lead
            self.event(EventKind.RAISED, caller, field="raised_to", new=self.lead.name, body=attempts[-1][2])
        self.version += 1

    def close(self, actor: StaffMember) -> None:
        self.set_status(Status.CLOSED, actor)
        self.version += 1

    def cancel(self, reason: str, actor: StaffMember) -> None:
        self.ticket.cancel_reason = reason
        self.set_status(Status.CANCELLED, actor, CANCEL_COMMENTS[reason])
        self.version += 1

    # Minutes to moments.

    def fit(self, now: datetime) -> None:
        """Squeeze the story, if need be, into the time from receipt to a minute before now."""
        room = (now - self.ticket.received_at).total_seconds() / 60 - 1
        self.factor = min(1.0, room / self.t) if self.t > 0 else 1.0

    def at(self, minutes: float) -> datetime:
        return self.ticket.received_at + timedelta(minutes=minutes * self.factor)


def _live(story: _Story, status: str, how: str, customer: _Customer) -> None:
    """Play the workflow from receipt until the ticket reaches ``status``."""
    rng, ticket, kind = story.rng, story.ticket, story.ticket.kind
    repair = kind == Kind.REPAIR
    if status == Status.NEW:
        return
    if ticket.assignee is not None and how != "direct":
        story.wait(1, 5) if repair else story.wait(2, 90 if rng.random() < 0.85 else 900)
        story.take(ticket.assignee, how)
    if status == Status.ASSIGNED:
        return
    if status == Status.CANCELLED:  # by the team's lead while nobody holds it, else by the holder
        story.wait(5, 240) if ticket.assignee is None else story.wait(10, 600)
        story.cancel(ticket.cancel_reason, ticket.assignee or story.lead)
        return
    # Every repair worked on is dispatched: the SLA engine stops the dispatch, arrival and
    # restoration clocks only on a work order's times, so a repair settled without one would
    # breach them after it is closed.
    if repair:
        story.wait(1, 4)
        story.dispatch(rng.choice(INSTRUCTIONS))
        story.wait(1, 10)
        story.reply(rng.choice(REPLIES[kind]))
    elif rng.random() < 0.85:
        story.wait(5, 240 if rng.random() < 0.9 else 2400)
        story.reply(rng.choice(REPLIES[kind]))
    else:
        story.wait(5, 120)
        story.start()
    if not repair and rng.random() < 0.3:
        story.wait(20, 600)
        story.note(rng.choice(NOTES))
    done = status in (Status.RESOLVED, Status.CLOSED)
    if repair:
        story.wait(*{Area.URBAN: (15, 40), Area.RURAL: (30, 80), Area.REMOTE: (45, 110)}[customer.row.area])
        if rng.random() < 0.08:
            story.wait(20, 90)  # held up on the way
        if done or rng.random() < 0.6:
            story.arrive()
            if done:
                story.wait(20, 140 if rng.random() < 0.9 else 360)
                story.restore(rng.choice(RESTORE_NOTES))
    if status == Status.IN_PROGRESS:
        return
    if done and not repair and rng.random() < 0.12:  # waited for the customer once on the way
        story.wait(30, 600)
        story.pause(rng.choice(PAUSE_REASONS.get(kind, PAUSE_DEFAULT)))
        story.wait(120, 4000)
        story.resume()
    if status == Status.PENDING_CUSTOMER:
        story.wait(30, 900)
        story.pause(rng.choice(PAUSE_REASONS.get(kind, PAUSE_DEFAULT)))
        return
    # Resolved, and perhaps closed.
    if kind in (Kind.COMPLAINT, Kind.REPORT):
        story.wait(60, 2000)
        if kind == Kind.COMPLAINT:
            category = ticket.complaint_category or ComplaintCategory.OTHER
            story.change("investigation", INVESTIGATIONS[category])
            story.change("remedy", REMEDIES[category])
            story.change("customer_reply", CUSTOMER_REPLY)
        else:
            story.change("investigation", REPORT_INVESTIGATION)
    if repair:
        story.wait(5, 60)
        if rng.random() < 0.2:
            story.note(rng.choice(REPAIR_NOTES))
            story.wait(1, 30)
    else:
        story.wait(*{Kind.INQUIRY: (10, 600 if rng.random() < 0.7 else 2500), Kind.COMPLAINT: (300, 5000),
                     Kind.APPLICATION: (600, 6000), Kind.REPORT: (1500, 9000)}.get(kind, (30, 2000)))
    story.resolve(rng.choice(story.topic.resolutions or RESOLUTIONS[kind]).format(cause=rng.choice(CAUSES)))
    retry = settings.TICKETS_CALLBACK_RETRY_HOURS * 60
    if status == Status.RESOLVED:
        if story.callback and rng.random() < 0.2:
            story.wait(60, 600)
            story.call_back(CallbackOutcome.UNREACHABLE)  # not reached yet: tried again later
        return
    if story.callback is None:
        story.wait(10, 1400)
        story.close(ticket.assignee)
        return
    outcome = _pick(rng, [(CallbackOutcome.SATISFIED, 82), (CallbackOutcome.UNREACHABLE, 8),
                          (CallbackOutcome.WRONG_NUMBER, 4), (CallbackOutcome.UNSATISFIED, 6)])
    story.wait(60, 1200)
    if outcome == CallbackOutcome.UNREACHABLE:
        for attempt in range(MAX_UNREACHABLE_ATTEMPTS):
            if attempt:
                story.wait(retry, retry + 600)
            story.call_back(outcome)
    else:
        if rng.random() < 0.15:
            story.call_back(CallbackOutcome.UNREACHABLE)
            story.wait(retry, retry + 600)
        story.call_back(outcome)
    if ticket.status != Status.CLOSED:  # failed or raised: the holder's superior or the holder closes it
        story.wait(10, 600)
        story.close(story.lead if outcome == CallbackOutcome.UNSATISFIED else ticket.assignee)


def _status_for(rng: random.Random, kind: str, age_hours: float) -> str:
    """How far along a ticket of this kind and age is: old ones mostly closed, recent ones mostly open."""
    progress = age_hours / LIFETIME_HOURS[kind]
    if age_hours < 0.5:
        weights = [(Status.NEW, 55), (Status.ASSIGNED, 30), (Status.IN_PROGRESS, 12), (Status.CANCELLED, 3)]
    elif progress < 0.3:
        weights = [(Status.NEW, 25), (Status.ASSIGNED, 20), (Status.IN_PROGRESS, 32), (Status.PENDING_CUSTOMER, 6),
                   (Status.RESOLVED, 9), (Status.CLOSED, 3), (Status.CANCELLED, 5)]
    elif progress < 1:
        weights = [(Status.NEW, 10), (Status.ASSIGNED, 10), (Status.IN_PROGRESS, 26), (Status.PENDING_CUSTOMER, 10),
                   (Status.RESOLVED, 24), (Status.CLOSED, 15), (Status.CANCELLED, 5)]
    elif progress < 4:
        weights = [(Status.NEW, 1), (Status.ASSIGNED, 3), (Status.IN_PROGRESS, 8), (Status.PENDING_CUSTOMER, 6),
                   (Status.RESOLVED, 14), (Status.CLOSED, 62), (Status.CANCELLED, 6)]
    else:
        weights = [(Status.IN_PROGRESS, 1), (Status.PENDING_CUSTOMER, 2), (Status.RESOLVED, 3),
                   (Status.CLOSED, 88), (Status.CANCELLED, 6)]
    return _pick(rng, weights)


def _received_times(rng: random.Random, count: int, days: int, now: datetime) -> list[tuple[datetime, bool]]:
    """``count`` moments in the last ``days`` days, oldest first, each with whether it is a fault
    call: weighted by the local hour of the day, a little quieter at weekends."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    earliest, latest = now - timedelta(days=days), now - timedelta(minutes=5)
    repair_share = dict(KIND_WEIGHTS)[Kind.REPAIR] / sum(w for _, w in KIND_WEIGHTS)
    result = []
    while len(result) < count:
        repair = rng.random() < repair_share
        day = midnight - timedelta(days=rng.randrange(days + 1))
        if day.weekday() >= 5 and rng.random() < 0.3:
            continue
        hour = rng.choices(range(24), weights=REPAIR_HOURS if repair else HOURS)[0]
        at = day + timedelta(hours=hour, seconds=rng.randrange(3600))
        if earliest < at <= latest:
            result.append((at, repair))
    result.sort(key=lambda pair: pair[0])
    return result


# --- writing ----------------------------------------------------------------------------------------


def _write_back(model: type[models.Model], names: list[str], rows: list[tuple]) -> None:
    """``UPDATE … SET name = value, … WHERE pk = …`` for rows ``(value, …, pk)``, as one executemany:
    puts back what ``auto_now_add`` overwrote."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 - names from the model
    params = [[f.get_db_prep_save(value, connection) for f, value in zip(fields, row[:-1], strict=True)] + [row[-1]]
              for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start:start + 5000])


RAISE_COUNTER_SQL = (  # GREATEST on PostgreSQL, the two-argument MAX on SQLite
    "INSERT INTO tickets_referencecounter (day, last) VALUES (%s, %s) "
    "ON CONFLICT (day) DO UPDATE SET last = GREATEST(tickets_referencecounter.last, excluded.last)"
)


def _raise_reference_counters(counters: dict) -> None:
    """Make each day's counter at least the last number used, so that later tickets never collide."""
    sql = RAISE_COUNTER_SQL if connection.vendor == "postgresql" else RAISE_COUNTER_SQL.replace("GREATEST(", "MAX(")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(day.isoformat(), last) for day, last in sorted(counters.items())])


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


@transaction.atomic
def seed_tickets(*, count: int = 2000, days: int = 60, seed: int = 20261122, stdout=None,
                 now: datetime | None = None) -> int:
    """Write ``count`` demo tickets received over the last ``days`` days; return how many.

    Does nothing and returns 0 when any ticket exists, or when the Shape A teams are missing.
    """
    existing = Ticket.objects.count()
    if existing:
        _say(stdout, f"  {existing} tickets already exist: no demo tickets added")
        return 0
    teams = _teams()
    if teams is None:
        _say(stdout, f"  no teams {', '.join(TEAM_CODES)} with agents: no demo tickets added")
        return 0
    rules = ensure_routing_rules()
    rng = random.Random(seed)
    now = now or timezone.now()
    lines = {s.code: s for s in Skill.objects.filter(kind=Skill.Kind.BUSINESS_LINE)}
    topics = {kind: [t for t in TOPICS if t.kind == kind] for kind in Kind.values}
    others = [(kind, weight) for kind, weight in KIND_WEIGHTS if kind != Kind.REPAIR]

    people = _customers(rng, max(round(count * 0.3), 1))
    unused = list(people)
    rng.shuffle(unused)
    used: list[_Customer] = []
    times = _received_times(rng, count, days, now)
    if count >= 5 * len(COVERAGE):  # among the most recent fifth
        coverage = dict(zip(sorted(rng.sample(range(count - count // 5, count), len(COVERAGE))), COVERAGE, strict=True))
    else:
        coverage = dict(enumerate(COVERAGE[:count]))

    stories: list[_Story] = []
    owners: list[_Customer] = []
    for i, (received, fault_call) in enumerate(times):
        # Everyone on the list gets in touch at least once; the others are repeat callers.
        fresh = bool(unused) and (not used or rng.random() < len(unused) / (count - i))
        who = unused.pop() if fresh else rng.choice(used)
        if fresh:
            used.append(who)
        if i in coverage:
            kind, status, channel = coverage[i]
        else:
            kind = Kind.REPAIR if fault_call else _pick(rng, others)
            status, channel = "", _pick(rng, CHANNEL_WEIGHTS[kind])
        fitting = [t for t in topics[kind] if not t.classes or who.row.customer_class in t.classes] or topics[kind]
        topic = _pick(rng, [(t, t.weight) for t in fitting])
        status = status or _status_for(rng, kind, (now - received).total_seconds() / 3600)
        duplicate_of, cancel_reason = None, ""
        if status == Status.CANCELLED:
            cancel_reason = _pick(rng, [(CancelReason.DUPLICATE, 45), (CancelReason.WITHDRAWN, 40),
                                        (CancelReason.SPAM, 15)])
            earlier = [j for j in range(max(0, i - 40), i) if stories[j].ticket.status != Status.CANCELLED
                       and received - stories[j].ticket.received_at < timedelta(days=3)]
            if cancel_reason == CancelReason.DUPLICATE and earlier and i not in coverage:
                # The same customer again about the same matter.
                duplicate_of = rng.choice(earlier)
                if fresh:
                    unused.append(used.pop())
                who, kind, topic = owners[duplicate_of], stories[duplicate_of].ticket.kind, stories[duplicate_of].topic
            elif cancel_reason == CancelReason.DUPLICATE:
                cancel_reason = CancelReason.WITHDRAWN
        if kind == Kind.REPAIR:
            team = teams["tech-region-1" if who.region == 1 else "tech-region-2"]
            line = lines.get("technical") if who.region == 1 else None
        else:
            team, line = teams["reception"], lines.get("reception")
        taken = status != Status.NEW and (status != Status.CANCELLED or rng.random() < 0.3)
        holder = rng.choice(team.agents) if taken else None
        # Who recorded it: nobody for the web form; the holder when they took it on at intake (some
        # calls and walk-ins); otherwise a front-desk agent, or a technical agent for faults.
        how = "claim" if rng.random() < 0.65 else "assign"
        if channel == Channel.WEB:
            creator = None
        elif holder is not None and channel in (Channel.PHONE, Channel.WALK_IN) and rng.random() < 0.2:
            creator, how = holder, "direct"
        else:
            creator = rng.choice(team.agents if kind == Kind.REPAIR and rng.random() < 0.5 else teams["reception"].agents)
        priority = topic.priority if rng.random() < 0.9 else max(Priority.URGENT, topic.priority - 1)
        responsible = None
        if topic.blame and rng.random() < 0.45:
            responsible = teams[("tech-region-1" if who.region == 1 else "tech-region-2")
                                if topic.blame == "tech" else "reception"].unit
        ticket = Ticket(
            kind=kind, channel=channel, status=Status.ASSIGNED if how == "direct" else Status.NEW, priority=priority,
            subject=topic.subject, description=rng.choice(topic.details).format(**who.facts(rng, received)),
            customer=who.row, business_line=line, team=team.unit, assignee=holder, received_at=received,
            created_by=creator.user if creator else None, cancel_reason=cancel_reason,
            complaint_category=topic.category, responsible_unit=responsible,
        )
        story = _Story(rng, ticket, topic, team.lead, duplicate_of=duplicate_of)
        story.event(EventKind.CREATED, creator, field="status", new=ticket.status)
        if how == "direct":
            story.event(EventKind.ASSIGNED, creator, field="assignee", new=holder.name)
        _live(story, status, how, who)
        assert ticket.status == status, (ticket.reference, ticket.status, status)
        stories.append(story)
        owners.append(who)

    # References by local day of receipt, numbered in order of receipt (the stories are sorted).
    counters: dict = {}
    for story in stories:
        day = timezone.localdate(story.ticket.received_at)
        counters[day] = counters.get(day, 0) + 1
        story.ticket.reference = f"TS-{day:%Y%m%d}-{counters[day]:06d}"
    for story in stories:
        story.fit(now)
        for name, minutes in story.times.items():
            setattr(story.ticket, name, story.at(minutes))
        story.ticket.version = story.version
        if story.duplicate_of is not None:
            for entry in story.events:
                entry[6] = entry[6].replace("{ref}", stories[story.duplicate_of].ticket.reference)

    customers = Customer.objects.bulk_create([c.row for c in people], batch_size=BATCH)
    first_contact: dict[int, datetime] = {}
    for story in stories:
        first_contact.setdefault(story.ticket.customer.pk, story.ticket.received_at)
    _write_back(Customer, ["created_at"], [(first_contact.get(c.pk, now), c.pk) for c in customers])
    _say(stdout, f"  customers: {len(customers)}")

    tickets = Ticket.objects.bulk_create([s.ticket for s in stories], batch_size=BATCH)
    _write_back(Ticket, ["created_at", "updated_at", "duplicate_of"], [
        (s.ticket.received_at, s.at(s.events[-1][0]),
         tickets[s.duplicate_of].pk if s.duplicate_of is not None else None, s.ticket.pk)
        for s in stories
    ])
    _raise_reference_counters(counters)

    dispatched = [s for s in stories if s.order]
    orders = WorkOrder.objects.bulk_create([
        WorkOrder(ticket=s.ticket, field_team=s.ticket.team, instructions=s.order["instructions"],
                  status=s.order["status"], dispatched_at=s.at(s.order["at"]), dispatched_by=s.order["by"],
                  arrived_at=s.at(s.order["arrived"]) if "arrived" in s.order else None,
                  restored_at=s.at(s.order["restored"]) if "restored" in s.order else None,
                  notes=s.order.get("notes", ""))
        for s in dispatched
    ], batch_size=BATCH)
    for story, order in zip(dispatched, orders, strict=True):
        story.events[story.order["event"]][5] = f"WO-{order.pk} → {order.field_team}"

    called = [s for s in stories if s.callback]
    callbacks = []
    for story in called:
        spec = story.callback
        due = callback_due_at(story.at(spec["created"]))
        story.events[spec["event"]][6] = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
        if spec["state"] == CallbackState.DUE and spec["attempts"]:  # not reached: tried again later
            retry = timedelta(hours=settings.TICKETS_CALLBACK_RETRY_HOURS)
            due = max(due, story.at(spec["attempts"][-1][0]) + retry)
        callbacks.append(Callback(
            ticket=story.ticket, assignee=story.ticket.assignee, state=spec["state"], due_at=due,
            completed_at=story.at(spec["completed"]) if spec["completed"] is not None else None,
            outcome=spec["outcome"], attempt_count=len(spec["attempts"]), raised_to=spec["raised_to"],
        ))
    callbacks = Callback.objects.bulk_create(callbacks, batch_size=BATCH)
    _write_back(Callback, ["created_at"], [(s.at(s.callback["created"]), c.pk)
                                           for s, c in zip(called, callbacks, strict=True)])
    attempts, made = [], []
    for story, callback in zip(called, callbacks, strict=True):
        for number, (minutes, outcome, notes, user) in enumerate(story.callback["attempts"], start=1):
            attempts.append(CallbackAttempt(callback=callback, number=number, outcome=outcome, notes=notes,
                                            made_by=user))
            made.append(story.at(minutes))
    attempts = CallbackAttempt.objects.bulk_create(attempts, batch_size=BATCH)
    _write_back(CallbackAttempt, ["made_at"], [(t, a.pk) for t, a in zip(made, attempts, strict=True)])

    events, moments = [], []
    for story in stories:
        for minutes, kind, actor, name, old, new, body in story.events:
            moment = story.at(minutes)
            if name in ("arrived_at", "restored_at"):
                new = moment.astimezone(UTC).isoformat()
            events.append(TicketEvent(ticket=story.ticket, kind=kind, actor=actor, field=name, old_value=old,
                                      new_value=new, body=body))
            moments.append(moment)
    events = TicketEvent.objects.bulk_create(events, batch_size=BATCH)
    _write_back(TicketEvent, ["created_at"], [(t, e.pk) for t, e in zip(moments, events, strict=True)])
    _say(stdout, f"  tickets: {len(tickets)} over {len(counters)} days, events: {len(events)}, "
                 f"work orders: {len(orders)}, callbacks: {len(callbacks)} ({len(attempts)} attempts), "
                 f"routing rules added: {rules}")

    clocks = clocks_backfill(ticket_ids=[t.pk for t in tickets])
    warned = breached = raised = 0
    for _ in range(20):  # each sweep raises one more level where one is due
        result = sweep(now=now)
        warned, breached, raised = warned + result.warned, breached + result.breached, raised + result.raised
        if not (result.warned or result.breached or result.raised or result.more):
            break
    _say(stdout, f"  SLA clocks: {clocks}, warnings: {warned}, breaches: {breached}, escalations: {raised}")
    return len(tickets)
