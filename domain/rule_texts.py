"""The rules R-1 … R-19: each one's summary (shared/DOMAIN.md, word for word) and its source
paragraph in the notices (seeds/), in the notice's own words — so ``certledger rules R-8`` can
explain an error's rule id without the repository. The README's rule table is made from this
(tests/test_rule_texts.py checks it matches).

Notices: 2019 = 豫人社〔2019〕8号; 2024 = 豫人社函〔2024〕25号 (where they conflict, 2024 stands).
"""

from __future__ import annotations

from dataclasses import dataclass

from certledger.domain.calendar import COUNTING

# How every period of the rules is counted, defined once (domain.calendar) and printed by
# ``certledger rules`` after the rules.
COUNTING_RULE = COUNTING


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str  # shared/DOMAIN.md
    source: str  # notice and paragraph
    text: str  # the notice's words (…… marks an omission)
    generally: bool = False  # says 一般: a norm, departed from only as an exception


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule(
        "R-1",
        'Verification is done by the unit the table names for that exam, at the level(s) it names; exams run by an association or learned society (协会、学会) by the provincial association or society. Nobody else may record a verification result.',
        '2024 §1(1); 2019 §2',
        '资格核查工作由省级行业行政管理部门统筹安排,省或省、市两级行业行政管理部门负责资格核查;行业协会、学会管理的考试项目,由省级行业协会、学会负责资格核查',
    ),
    Rule(
        "R-2",
        'Registration follows the commitment system (告知承诺制): the candidate commits; the online system compares education, major, work years "and so on" (等: the list is open); where the comparison fails, or the candidate does not meet the commitment system\'s requirements (不符合告知承诺制要求), the candidate must upload evidence instead. Registration records the commitment (or its absence), the comparison outcome per item, and the evidence references.',
        '2024 §1(2) ¶1–2',
        '由网上报名系统自动对考生填报的学历信息、所学专业、工作年限等在线比对。对于无法通过在线比对或不符合告知承诺制要求等情形,考生须按网报系统提示,如实上传相关证明材料。',
    ),
    Rule(
        "R-3",
        'Verification may happen before, during and after the exam; post-exam verification is the main one and covers everyone who sat the exam in Henan and passed.',
        '2024 §1(2) ¶3',
        '资格核查部门依法依规对考生进行考前、考中、考后全程核查,以考后核查为主。考后资格核查的对象为在我省参加专业技术人员职业资格考试且成绩合格人员。',
    ),
    Rule(
        "R-4",
        'After results are released (day D), HRSS hands the passed candidates and their material over to the provincial verification unit.',
        '2024 §1(2) ¶4',
        '成绩发布后,省人力资源社会保障厅向省级资格核查部门移交考试成绩合格人员信息和核查资料。',
    ),
    Rule(
        "R-5",
        'HRSS and the verification unit jointly publish the "pass publicity and post-exam verification announcement" (考试成绩合格公示和考后资格核查公告); publicity generally (一般) lasts at least 10 days. The announcement is a document: it lists the passed candidates and says how, where and by when verification happens.',
        '2024 §1(2) ¶4',
        '省人力资源社会保障厅和省级资格核查部门联合发布“考试成绩合格公示和考后资格核查公告”,公示时间一般不少于10天。', generally=True,
    ),
    Rule(
        "R-6",
        'The verification unit reports results to HRSS within 15 days of D (the report is one act: the list of results). A result is 合格 (qualified), 不合格 (unqualified, citing the condition not met: a national registration condition or a named Henan policy — 2024 §3(1) says "国家规定的报名条件和我省相关政策", which supersedes 2019 §2\'s "no further conditions"), or, where verification could not be completed, 报考条件待核查 (pending).',
        '2024 §1(2) ¶4; 2024 §3(1)',
        '在成绩发布后15日内将核查结果报送省人力资源社会保障厅。对于无法完成核实的人员,暂按“报考条件待核查”处理。……资格核查部门要严格按照国家规定的报名条件和我省相关政策进行资格核查',
    ),
    Rule(
        "R-7",
        'The unit publishes the verification results announcement, which informs each passed candidate of the result, calls the pending ones to supplementary verification (补充资格核查), and opens appeals (申辩) for the unqualified.',
        '2024 §1(2) ¶6',
        '省级资格核查部门发布考后资格核查结果公告,向成绩合格人员履行考后资格核查结果告知义务,并安排未核查人员,参加补充资格核查,接受核查结果为“不合格”人员的申辩。',
    ),
    Rule(
        "R-8",
        'Supplementary verification and appeals (申辩: a statement of defence against a 不合格 result, not a court appeal) are generally (一般) completed within two months of D. Supplementary verification is the last verification of the year: a candidate who has not taken part when the period ends is deemed to have forfeited the exam qualification (视为放弃), and no later verification request is accepted.',
        '2024 §1(2) ¶6',
        '补充资格核查和接受申辩一般安排在考试成绩发布后两个月内集中完成。补充资格核查为当年度最后一次资格核查,逾期仍未按要求接受补充资格核查的,视为放弃考试资格,不再受理资格核查申请。', generally=True,
    ),
    Rule(
        "R-9",
        'The unit submits the supplementary results to HRSS and publishes a supplementary results announcement.',
        '2024 §1(2) ¶7',
        '省级资格核查部门将补充资格核查结果提交省人力资源社会保障厅,并发布补充资格核查结果公告。',
    ),
    Rule(
        "R-10",
        "For provincial exams the deadlines come from that exam's own announcement rather than the 15-day rule.",
        '2024 §1(2) ¶5',
        '省人力资源社会保障厅与相关行业行政管理部门共同组织的省级专业技术人员职业资格考试,核查结果报送时限以考后资格核查公告为准。',
    ),
    Rule(
        "R-11",
        'Whenever a candidate is found not to meet the registration conditions (in verification or later supervision): the registration is void and fees are not refunded; all subject scores of that sitting are void; any certificate or pass proof already issued is void.',
        '2024 §1(3) ¶1',
        '在核查或日常监管中发现不符合考试报名条件的,考试报名无效,已缴费用不予退还;取得成绩的,当次全部科目考试成绩无效;取得资格证书或者成绩证明的,资格证书或者成绩证明无效。',
    ),
    Rule(
        "R-12",
        "False material or other fraud is handled under MOHRSS Order No. 31, Art. 10 **and** Art. 12 together (one finding: Art. 10's consequences for scores and certificate, and Art. 12's entry in the exam integrity record, 诚信档案); suspected crimes are referred to the judicial authorities. The ledger records the finding, its consequences (in Chinese, with English beside) and the referral. Art. 10 has the issuing body declare the certificate or pass proof void (由证书签发机构宣布无效): once HRSS has sealed one, the finding is HRSS's own signed act. Check the Order's own text for the details.",
        '2024 §1(3) ¶2',
        '提供虚假证明材料或者以其他不正当手段取得相应资格证书或者成绩证明等严重违纪违规行为的,按照《专业技术人员资格考试违纪违规行为处理规定》(人社部令第 31 号)第十条、第十二条处理。涉嫌违法犯罪的,依法移送司法机关。',
    ),
    Rule(
        "R-13",
        'Provincially organized exams: HRSS issues the "Henan professional-qualification certificate (electronic)" under its e-seal; no paper certificate. The candidate downloads it. Any converted version of the e-certificate has no legal effect: only the document exactly as signed verifies.',
        '2019 §1(2); 2024 §2(1)',
        '由省人力资源社会保障厅制发“河南省专业技术人员职业资格证书(电子证书)”,不再发放纸质证书。……其他任何形式的电子证书再转换版本,不具备同等法律效力。',
    ),
    Rule(
        "R-14",
        'National exams: until the national paper certificate reaches Henan, HRSS issues a "national exam pass proof (Henan)" under its e-seal; inside Henan it has the paper certificate\'s effect, for title evaluation and registration.',
        '2019 §1(3)–(4)',
        '全国统考的专业技术人员职业资格纸质证书发放到我省之前,由省人力资源和社会保障厅制发“全国专业技术人员职业资格考试合格证明(河南)”……在国家印制的纸质证书发放之前,在省内具有纸质证书同等效力',
    ),
    Rule(
        "R-15",
        'Paper certificates are handed out by the verification unit(s) of the table.',
        '2024 §2(1); 2019 §1(1)',
        '按照豫人社〔2019〕8号文规定,纸质证书发放由省或省、市两级资格核查部门负责。',
    ),
    Rule(
        "R-16",
        "Paper certificates can be reserved for mailing on the provincial reservation platform (run by HRSS), generally (一般) within 30 days after the verification results are published (考后核查结果发布: for a candidate qualified only in the supplementary round, that round's announcement); postage is paid on delivery; the postal company delivers. Unreserved certificates are handed out on site by arrangement of the provincial unit.",
        '2024 §2(2)',
        '统一在省专业技术人员职业资格证书预约邮寄平台受理邮寄申请。证书预约期一般为考后核查结果发布后 30 天内。……邮寄费用由证书邮寄申请人承担,采取到付模式。未预约邮寄的证书仍由省级资格核查部门统筹安排现场发放。', generally=True,
    ),
    Rule(
        "R-17",
        "Unclaimed certificates stay in the custody of the verification unit for 5 years from the exam's end date. After the period has expired (期满后: from the day after its last day) the provincial unit enters them in a roster (登记造册: a document listing each certificate and its holder) and transfers them to HRSS, which then holds them and can still hand them out.",
        '2024 §2(3)',
        '未领取的证书,由资格核查部门代为保管,保管期限为自考试结束日起 5 年。保管期满后,由省级资格核查部门登记造册移交省人力资源社会保障厅。',
    ),
    Rule(
        "R-18",
        'Once an e-certificate has been issued, no application for a paper reissue (补发) is accepted: the refusal is itself recorded.',
        '2024 §2(4)',
        '已制发电子证书的,不再受理纸质证书补发申请。',
    ),
    Rule(
        "R-19",
        'Paper reissue and information changes: for 卫生, 会计, 通信 and 计算机技术与软件, the industry department passes the request level by level up to the national industry department, which sends it to the national exam center. For every other exam the municipal department receives and collects, the provincial department aggregates and sends to the Henan Personnel Exam Center.',
        '2019 §1(5)',
        '卫生、会计、通信、计算机软件与技术等4个专业的纸质证书补办和信息修改由相应的行业行政管理部门逐级上报至国家行业行政管理部门,再报国家人事考试中心。其他专业纸质证书补办和信息修改,由省辖市行业行政管理部门负责受理和收集并报省级行业行政管理部门,省级行业行政管理部门汇总后送河南省人事考试中心。',
    ),
)}
