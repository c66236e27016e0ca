using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Metadata;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Audit;

/// <summary>One changed field of an audit row as a person reads it: 状态：待派单 → 已派单.</summary>
public sealed record AuditChange(string Field, string? Before, string? After);

/// <summary>
/// The audit log in an auditor's words. Rows keep what was written (entity class, property names, raw values:
/// ADR 0004, evidence of exactly what changed); this turns them into Chinese for the console: the action, the kind
/// of record, each field's name, and values as people know them (元 for fen, Beijing time, 是/否, statuses in words).
/// Technical fields (stamps, hashes, idempotency keys) are left out of the readable view, never out of the row.
/// Tests hold the vocabulary complete: every entity, property and enum value in the model, and every action verb
/// the code writes, has its words here.
/// </summary>
public static class AuditTexts
{
    public static string Action(string action) => Actions.TryGetValue(action, out var text) ? text : action;

    public static string Entity(string entityType) =>
        entityType.Length == 0 ? "" : Entities.TryGetValue(entityType, out var text) ? text : entityType;

    /// <summary>The Chinese name of a field (a property of an entity, or a member of an action's details).</summary>
    public static string Field(string name)
    {
        var key = name.Length > 0 && char.IsLower(name[0]) ? char.ToUpperInvariant(name[0]) + name[1..] : name;
        return Fields.TryGetValue(key, out var text) ? text : name;
    }

    public static bool IsTechnical(string name) => Technical.Contains(name);

    /// <summary>
    /// The fields of a row worth reading: for a change, only those whose value moved; for a new or removed record,
    /// every filled field; for an action, its details. <paramref name="model"/> tells which fields hold statuses.
    /// </summary>
    public static IReadOnlyList<AuditChange> Changes(IModel model, AuditRow row)
    {
        var before = Parse(row.Before);
        var after = Parse(row.After);
        var entity = model.GetEntityTypes().FirstOrDefault(e => e.ClrType.Name == row.EntityType);
        var names = before.Keys.Concat(after.Keys).Distinct().Where(n => !IsTechnical(n)).ToList();
        var changes = new List<AuditChange>();
        foreach (var name in names)
        {
            before.TryGetValue(name, out var b);
            after.TryGetValue(name, out var a);
            var enumType = entity?.FindProperty(name) is { } p ? Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType : null;
            var bText = Value(name, b, enumType);
            var aText = Value(name, a, enumType);
            var isChange = row.Action == "modified";
            if (isChange && bText == aText)
            {
                continue;
            }

            if (!isChange && (b is null || IsEmpty(b.Value)) && (a is null || IsEmpty(a.Value)))
            {
                continue;
            }

            changes.Add(new AuditChange(Field(name), row.Action == "added" ? null : bText, row.Action == "deleted" ? null : aText));
        }

        return changes;
    }

    private static bool IsEmpty(JsonElement v) => v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || (v.ValueKind == JsonValueKind.String && v.GetString()!.Length == 0);

    private static Dictionary<string, JsonElement?> Parse(string? json)
    {
        var fields = new Dictionary<string, JsonElement?>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json))
        {
            return fields;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                fields["Value"] = doc.RootElement.Clone();
                return fields;
            }

            foreach (var member in doc.RootElement.EnumerateObject())
            {
                fields[member.Name] = member.Value.Clone();
            }
        }
        catch (JsonException)
        {
            fields["Value"] = JsonDocument.Parse(JsonSerializer.Serialize(json)).RootElement.Clone();
        }

        return fields;
    }

    /// <summary>One value in people's words: fen in 元, instants in Beijing time, statuses in Chinese.</summary>
    public static string? Value(string name, JsonElement? value, Type? type = null)
    {
        if (value is not { } v || v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        var key = name.Length > 0 && char.IsLower(name[0]) ? char.ToUpperInvariant(name[0]) + name[1..] : name;
        switch (v.ValueKind)
        {
            case JsonValueKind.True:
                return "是";
            case JsonValueKind.False:
                return "否";
            case JsonValueKind.Number when key.EndsWith("Fen", StringComparison.Ordinal) && v.TryGetInt64(out var fen):
                return Money.Yuan(fen) + " 元";
            case JsonValueKind.Number when key.EndsWith("Centi", StringComparison.Ordinal) && v.TryGetInt64(out var centi):
                return (centi / 100m).ToString("0.00", CultureInfo.InvariantCulture) + " m²";
            case JsonValueKind.Number when key == "RemunerationBp" && v.TryGetInt64(out var bp):
                return (bp / 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%";
            case JsonValueKind.Number:
                return v.GetRawText();
            case JsonValueKind.String:
                var text = v.GetString()!;
                if (type is { IsEnum: true } && EnumValues.TryGetValue($"{type.Name}.{text}", out var word))
                {
                    return word;
                }

                if (text.Length >= 20 && text[4] == '-' && text[10] == 'T' && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
                {
                    return at.Show("yyyy-MM-dd HH:mm:ss");
                }

                return Texts.Clip(text, 200);
            default:
                return Texts.Clip(v.GetRawText(), 200);
        }
    }

    /// <summary>Added, modified and deleted rows, and every verb a feature writes with <c>db.Audit</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> Actions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["added"] = "新增",
        ["modified"] = "修改",
        ["deleted"] = "删除",
        ["admin.login"] = "登录",
        ["admin.login.failed"] = "登录失败",
        ["payment.offline"] = "线下收款",
        ["payment.refund"] = "退款",
        ["event.complete"] = "活动结项",
        ["event.signups.export"] = "导出报名表",
        ["notice.publish"] = "发布公告",
        ["notice.withdraw"] = "撤回公告",
        ["notice.remind"] = "提醒未读",
        ["notice.pin"] = "置顶公告",
        ["notice.unpin"] = "取消置顶",
        ["redemption.cancel"] = "取消兑换",
        ["service-order.dispatch"] = "指派志愿者",
        ["timebank.ledger.export"] = "导出积分流水",
        ["fund.question.answer"] = "答复基金提问",
        ["fund.remuneration"] = "调整受托人报酬比例",
        ["fund.income"] = "登记基金收入",
        ["fund.budget.draft"] = "编制年度预算",
        ["fund.budget.approve"] = "批准年度预算",
        ["fund.expense.propose"] = "提出支出",
        ["fund.expense.approve"] = "批准支出",
        ["fund.expense.pay"] = "支付支出",
        ["vote.create"] = "发起表决",
        ["vote.paper_ballot"] = "录入纸质/委托选票",
        ["vote.close"] = "结束表决",
        ["vote.cancel"] = "取消表决",
        ["vote.export.electorate"] = "导出业主名册",
        ["topic.comment.release"] = "放行议题评论",
        ["topic.comment.reject"] = "驳回议题评论",
        ["households.exported"] = "导出房屋与住户",
        ["resident.phone-revealed"] = "查看完整手机号",
    };

    /// <summary>Every entity of the model, by its class name (what <see cref="AuditLog.EntityType"/> holds).</summary>
    public static readonly IReadOnlyDictionary<string, string> Entities = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AdminSignInAddress"] = "登录地址锁定",
        ["AdminUser"] = "管理员账号",
        ["AuditLog"] = "操作日志",
        ["Ballot"] = "选票",
        ["Bill"] = "账单",
        ["BillingRun"] = "开账批次",
        ["BudgetApproval"] = "预算批准",
        ["Building"] = "楼栋",
        ["Community"] = "社区",
        ["CommunityEvent"] = "活动",
        ["Estate"] = "小区",
        ["EstateFirmContract"] = "物业服务合同",
        ["EventSignup"] = "活动报名",
        ["ExpenseApproval"] = "支出批准",
        ["ExpenseStep"] = "支出流程记录",
        ["FeeExemption"] = "费用减免",
        ["FeeItem"] = "收费项目",
        ["FundAccount"] = "业主基金账户",
        ["FundAttachment"] = "基金附件",
        ["FundBudget"] = "年度预算",
        ["FundBudgetLine"] = "预算科目",
        ["FundEntry"] = "基金流水",
        ["FundExpense"] = "基金支出",
        ["FundQuestion"] = "基金提问",
        ["FundStatement"] = "基金月报",
        ["Grid"] = "网格",
        ["GridBuilding"] = "网格楼栋",
        ["Household"] = "房屋",
        ["IdentityRole`1"] = "角色",
        ["IdentityRole"] = "角色",
        ["IdentityRoleClaim`1"] = "角色声明",
        ["IdentityUserClaim`1"] = "账号声明",
        ["IdentityUserLogin`1"] = "外部登录",
        ["IdentityUserRole`1"] = "账号角色",
        ["IdentityUserToken`1"] = "账号令牌",
        ["InviteCode"] = "邀请码",
        ["LedgerPosting"] = "积分分录",
        ["LedgerTransaction"] = "积分流水",
        ["Notice"] = "公告",
        ["NoticeAttachment"] = "公告附件",
        ["NoticeRead"] = "公告已读",
        ["Open311ApiKey"] = "Open311 接口密钥",
        ["OutboxMessage"] = "待发消息",
        ["Payment"] = "缴费",
        ["PaymentBill"] = "缴费所含账单",
        ["PropertyFirm"] = "物业公司",
        ["Redemption"] = "积分兑换",
        ["RefreshToken"] = "登录续期凭证",
        ["Refund"] = "退款",
        ["Repair"] = "报修单",
        ["RepairCategory"] = "报修类别",
        ["RepairEscalation"] = "报修升级",
        ["RepairDayFigures"] = "报修日统计",
        ["RepairEvent"] = "报修进度",
        ["RepairPhoto"] = "报修照片",
        ["Residence"] = "住户认证",
        ["Resident"] = "居民",
        ["Reward"] = "兑换奖品",
        ["RoleAssignment"] = "角色授权",
        ["ServiceOrder"] = "志愿服务单",
        ["StoredFile"] = "上传文件",
        ["FileChunk"] = "文件分块",
        ["JobTick"] = "定时任务执行记录",
        ["Street"] = "街道",
        ["TimeBankAccount"] = "积分账户",
        ["Topic"] = "议题",
        ["TopicComment"] = "议题评论",
        ["TopicStep"] = "议题进展",
        ["TopicSupport"] = "议题附议",
        ["TransparencyHead"] = "透明日志签名",
        ["TransparencyLog"] = "透明日志",
        ["TransparencyNode"] = "透明日志节点",
        ["Unit"] = "单元",
        ["VolunteerProfile"] = "志愿者档案",
        ["Vote"] = "业主表决",
        ["VoteOption"] = "表决选项",
        ["Voter"] = "表决人",
        ["VoterFlat"] = "表决人房屋",
        ["VoterMember"] = "表决人成员",
    };

    /// <summary>Stamps, hashes, keys and payloads: evidence in the row, noise on the page.</summary>
    private static readonly HashSet<string> Technical = new(StringComparer.Ordinal)
    {
        "ConcurrencyStamp", "SecurityStamp", "NormalizedEmail", "NormalizedName", "NormalizedUserName", "LockVersion", "Version",
        "IdempotencyKey", "PayIdempotencyKey", "RequestKey", "ActiveKey", "BillIdsKey", "PayParamsJson", "KeyHash", "TokenHash",
        "PasswordHash", "OwnerKey", "SourceKey", "LockedBy", "LockedUntil", "Payload", "Hash", "FamilyId", "PrepayId",
        "BreakdownJson", "TraceId", "ClaimType", "ClaimValue", "LoginProvider", "ProviderKey", "ProviderDisplayName",
        "AccessFailedCount", "LockoutEnabled", "TwoFactorEnabled", "EmailConfirmed", "PhoneNumberConfirmed", "Signature",
        "HeadSignature", "RootHash", "HeadRootHash", "AttachmentSha256s", "CoverImageUrl",
    };

    /// <summary>Every property of the model and every member of an action's details, in Chinese.</summary>
    public static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Id"] = "编号",
        ["Name"] = "名称",
        ["Title"] = "标题",
        ["Description"] = "描述",
        ["Body"] = "正文",
        ["Text"] = "内容",
        ["Note"] = "备注",
        ["Memo"] = "摘要",
        ["Reason"] = "原因",
        ["Comment"] = "评价",
        ["Status"] = "状态",
        ["Kind"] = "类型",
        ["Category"] = "类别",
        ["Channel"] = "渠道",
        ["Source"] = "来源",
        ["Stage"] = "阶段",
        ["Level"] = "级别",
        ["Role"] = "角色",
        ["Relation"] = "关系",
        ["Rule"] = "表决规则",
        ["Outcome"] = "结果",
        ["Position"] = "排序",
        ["Ordinal"] = "序号",
        ["Address"] = "地址",
        ["Location"] = "位置",
        ["Room"] = "房号",
        ["Floor"] = "最低余额",
        ["AreaM2"] = "建筑面积（m²）",
        ["Latitude"] = "纬度",
        ["Longitude"] = "经度",
        ["District"] = "区",
        ["Label"] = "标签",
        ["Prefix"] = "前缀",
        ["Code"] = "代码",
        ["Email"] = "邮箱",
        ["UserName"] = "登录名",
        ["DisplayName"] = "姓名",
        ["PhoneNumber"] = "手机号",
        ["RealName"] = "真实姓名",
        ["Nickname"] = "昵称",
        ["OpenId"] = "微信 OpenID",
        ["UnionId"] = "微信 UnionID",
        ["ContactPhone"] = "联系电话",
        ["ExternalContact"] = "联系方式",
        ["ClientAddress"] = "登录地址",
        ["Failures"] = "失败次数",
        ["IsDisabled"] = "已停用",
        ["IsActive"] = "上架",
        ["IsVolunteer"] = "志愿活动",
        ["IsPublicArea"] = "公共区域",
        ["IsDeveloper"] = "开发商",
        ["IsPaymentProof"] = "付款凭证",
        ["HeldByDeveloper"] = "开发商持有",
        ["Held"] = "待审核",
        ["Pinned"] = "置顶",
        ["Notify"] = "发送订阅消息",
        ["NeedsReview"] = "需复核",
        ["OverPlan"] = "超预算",
        ["Passed"] = "通过",
        ["QuorumMet"] = "达到法定人数",
        ["NoShow"] = "缺席",
        ["Dispatched"] = "已指派",
        ["FundedByPool"] = "积分池支付",
        ["ServiceOrdersPaidByPool"] = "服务单由积分池支付",
        ["VerifiedOnly"] = "仅认证住户",
        ["Waitlisted"] = "候补",
        ["Amount"] = "积分",
        ["AmountFen"] = "金额",
        ["BalanceFen"] = "余额",
        ["Balance"] = "积分余额",
        ["TotalFen"] = "合计",
        ["UnitPriceFen"] = "单价",
        ["RefundedFen"] = "已退金额",
        ["PlannedFen"] = "预算金额",
        ["IncomeFen"] = "收入",
        ["ExpenseFen"] = "支出",
        ["OpeningFen"] = "期初余额",
        ["ClosingFen"] = "期末余额",
        ["RemunerationFen"] = "受托人报酬",
        ["ReversalFen"] = "冲正",
        ["RemunerationBp"] = "受托人报酬比例",
        ["Points"] = "积分",
        ["PointsAwarded"] = "奖励积分",
        ["PointsCost"] = "所需积分",
        ["EarnedTotal"] = "累计获得",
        ["SpentTotal"] = "累计使用",
        ["Stock"] = "库存",
        ["Quantity"] = "数量",
        ["PerPersonLimit"] = "每人限兑",
        ["Capacity"] = "名额",
        ["Confirmed"] = "已报名",
        ["Stars"] = "评分",
        ["Day"] = "日期",
        ["Dimension"] = "统计维度",
        ["MemberId"] = "统计对象",
        ["Reported"] = "报修数",
        ["Handled"] = "办结数",
        ["OnTime"] = "按时办结数",
        ["ResolveSeconds"] = "办理用时（秒）合计",
        ["Reopened"] = "返修数",
        ["Rated"] = "评价数",
        ["Closed"] = "当日办结数",
        ["Supporters"] = "附议人数",
        ["ReopenCount"] = "重开次数",
        ["EscalationLevel"] = "升级级别",
        ["DeadlineHours"] = "处理时限（小时）",
        ["DueDay"] = "缴费日",
        ["Households"] = "户数",
        ["BillsCreated"] = "生成账单数",
        ["Processed"] = "已处理户数",
        ["Attempts"] = "尝试次数",
        ["ApprovalsRequired"] = "需批准人数",
        ["Approvals"] = "已批准人数",
        ["BallotsCast"] = "已投票数",
        ["Voters"] = "票数（人）",
        ["VotersTotal"] = "表决人总数",
        ["FlatCount"] = "房屋数",
        ["Flats"] = "房屋",
        ["Owners"] = "业主",
        ["AreaCenti"] = "面积",
        ["AreaCastCenti"] = "已投票面积",
        ["AreaTotalCenti"] = "总面积",
        ["EntryCount"] = "流水笔数",
        ["FirstSeq"] = "起始序号",
        ["Seq"] = "流水序号",
        ["EntrySeq"] = "流水序号",
        ["TreeSize"] = "日志长度",
        ["HeadTreeSize"] = "签名时日志长度",
        ["HeadTimestamp"] = "签名时间",
        ["HeadKeyId"] = "签名密钥",
        ["KeyId"] = "签名密钥",
        ["Timestamp"] = "时间戳",
        ["Size"] = "条数",
        ["TallySize"] = "计票条数",
        ["Width"] = "宽度",
        ["Height"] = "高度",
        ["SizeBytes"] = "大小（字节）",
        ["ContentType"] = "文件类型",
        ["Sha256"] = "文件指纹",
        ["FileId"] = "文件",
        ["ScanFileId"] = "选票扫描件",
        ["Error"] = "错误",
        ["LastError"] = "最近错误",
        ["Topic"] = "消息类型",
        ["Key"] = "键",
        ["Value"] = "内容",
        ["Month"] = "月份",
        ["Year"] = "年度",
        ["Period"] = "账期",
        ["From"] = "起",
        ["To"] = "止",
        ["DueDate"] = "缴费截止日",
        ["EffectiveFrom"] = "生效日期",
        ["EffectiveTo"] = "失效日期",
        ["ActiveFrom"] = "上架时间",
        ["ActiveTo"] = "下架时间",
        ["At"] = "时间",
        ["CreatedAt"] = "创建时间",
        ["UpdatedAt"] = "更新时间",
        ["StartedAt"] = "开始时间",
        ["FinishedAt"] = "完成时间",
        ["Job"] = "定时任务",
        ["Slot"] = "执行时段",
        ["Instance"] = "实例",
        ["Failed"] = "是否失败",
        ["Index"] = "序号",
        ["Bytes"] = "内容",
        ["CompletedAt"] = "完成时间",
        ["ClosedAt"] = "关闭时间",
        ["CancelledAt"] = "取消时间",
        ["DecidedAt"] = "决定时间",
        ["ApprovedAt"] = "批准时间",
        ["PaidAt"] = "支付时间",
        ["ProposedAt"] = "提出时间",
        ["ResolvedAt"] = "处理完成时间",
        ["ClaimedAt"] = "接单时间",
        ["WantedAt"] = "期望时间",
        ["DeadlineAt"] = "处理时限",
        ["ExpiresAt"] = "过期时间",
        ["UsedAt"] = "使用时间",
        ["RevokedAt"] = "撤销时间",
        ["LastLoginAt"] = "最近登录",
        ["LastUrgedAt"] = "最近催办",
        ["LastEscalatedAt"] = "最近升级",
        ["LastSucceededAt"] = "最近成功登录",
        ["FirstFailureAt"] = "首次失败时间",
        ["LockoutEnd"] = "锁定至",
        ["AppliedAt"] = "申请时间",
        ["SignedUpAt"] = "报名时间",
        ["CheckedInAt"] = "签到时间",
        ["PromotedAt"] = "候补转正时间",
        ["CancelDeadline"] = "取消截止时间",
        ["SignupOpensAt"] = "报名开始",
        ["SignupClosesAt"] = "报名截止",
        ["StartsAt"] = "开始时间",
        ["EndsAt"] = "结束时间",
        ["NoticeAt"] = "公告时间",
        ["OpensAt"] = "投票开始",
        ["ClosesAt"] = "投票截止",
        ["OpenedAt"] = "开始投票时间",
        ["CastAt"] = "投票时间",
        ["PublishAt"] = "发布时间",
        ["KeepUntil"] = "公示至",
        ["WithdrawnAt"] = "撤回时间",
        ["NotifiedAt"] = "通知时间",
        ["RemindedAt"] = "提醒时间",
        ["AskedAt"] = "提问时间",
        ["AnsweredAt"] = "答复时间",
        ["ClassifiedAt"] = "分流时间",
        ["MadeAt"] = "生成时间",
        ["AvailableAt"] = "可发送时间",
        ["ProcessedAt"] = "发送时间",
        ["ActorId"] = "操作人",
        ["ActorName"] = "操作人",
        ["Actor"] = "操作人",
        ["Action"] = "动作",
        ["EntityType"] = "对象类型",
        ["EntityId"] = "对象编号",
        ["Before"] = "原值",
        ["After"] = "新值",
        ["StreetId"] = "街道",
        ["CommunityId"] = "社区",
        ["EstateId"] = "小区",
        ["BuildingId"] = "楼栋",
        ["UnitId"] = "单元",
        ["HouseholdId"] = "房屋",
        ["GridId"] = "网格",
        ["PropertyFirmId"] = "物业公司",
        ["AdminUserId"] = "管理员",
        ["AdminId"] = "管理员",
        ["UserId"] = "账号",
        ["RoleId"] = "角色",
        ["ResidentId"] = "居民",
        ["ReporterId"] = "报修人",
        ["AssigneeId"] = "处理人",
        ["CategoryId"] = "报修类别",
        ["RepairId"] = "报修单",
        ["EventId"] = "活动",
        ["BillId"] = "账单",
        ["BillingRunId"] = "开账批次",
        ["FeeItemId"] = "收费项目",
        ["FeeItemName"] = "收费项目",
        ["PaymentId"] = "缴费",
        ["LockedByPaymentId"] = "锁定的缴费",
        ["PaidByPaymentId"] = "付款记录",
        ["RewardId"] = "奖品",
        ["TransactionId"] = "积分流水",
        ["RefundTransactionId"] = "退还流水",
        ["AccountId"] = "积分账户",
        ["ServiceOrderId"] = "志愿服务单",
        ["RequesterId"] = "求助人",
        ["VolunteerId"] = "志愿者",
        ["InviteCodeId"] = "邀请码",
        ["UsedByResidentId"] = "使用人",
        ["CreatedByAdminId"] = "创建人",
        ["CreatedByName"] = "创建人",
        ["DecidedByAdminId"] = "审核人",
        ["ApprovedByAdminId"] = "批准人",
        ["CheckedInByAdminId"] = "签到经办",
        ["UploadedByAdminId"] = "上传人（工作人员）",
        ["UploadedByResidentId"] = "上传人（居民）",
        ["ProposedByAdminId"] = "提出人",
        ["ProposedByName"] = "提出人",
        ["DraftedByAdminId"] = "编制人",
        ["DraftedByName"] = "编制人",
        ["EnteredByAdminId"] = "录入人",
        ["EnteredByName"] = "录入人",
        ["CastByResidentId"] = "投票人",
        ["AuthorAdminId"] = "作者（工作人员）",
        ["AuthorResidentId"] = "作者（居民）",
        ["AuthorName"] = "作者",
        ["ByName"] = "批准人",
        ["RecordedBy"] = "经办人",
        ["RequestedBy"] = "申请人",
        ["StartedBy"] = "开账人",
        ["ClosedBy"] = "结束人",
        ["AnsweredBy"] = "答复人",
        ["AskedBy"] = "提问人",
        ["BudgetId"] = "年度预算",
        ["BudgetLineId"] = "预算科目",
        ["ExpenseId"] = "基金支出",
        ["LogId"] = "透明日志",
        ["SubjectId"] = "对象",
        ["NoticeId"] = "公告",
        ["AnnouncementNoticeId"] = "表决公告",
        ["ResultNoticeId"] = "结果公示",
        ["VoteId"] = "业主表决",
        ["VoterId"] = "表决人",
        ["OptionId"] = "选项",
        ["TopicId"] = "议题",
        ["TallyLogId"] = "计票日志",
        ["ScopeLevel"] = "范围",
        ["Counterparty"] = "对方",
        ["Payee"] = "收款方",
        ["VoucherNo"] = "凭证号",
        ["OutTradeNo"] = "商户订单号",
        ["OutRefundNo"] = "退款单号",
        ["ReceiptNo"] = "收据号",
        ["Receipt"] = "回执",
        ["OfflineReference"] = "线下凭证号",
        ["ReviewNote"] = "复核说明",
        ["RejectReason"] = "驳回原因",
        ["RejectionReason"] = "驳回原因",
        ["CancelReason"] = "取消原因",
        ["DisputeReason"] = "异议原因",
        ["Resolution"] = "裁定",
        ["ResolutionNote"] = "处理说明",
        ["RatingComment"] = "评价内容",
        ["ClassificationNote"] = "分流说明",
        ["Answer"] = "答复",
        ["Intro"] = "自我介绍",
        ["Skills"] = "技能",
        ["ProxyName"] = "受托人",
        ["WaitlistTicket"] = "候补序号",
        ["WaitlistSeq"] = "候补序号",
        ["SourceRef"] = "来源",
        ["Via"] = "方式",
        ["Rows"] = "行数",
        ["Lines"] = "科目数",
        ["Options"] = "选项",
        ["UnreadFlats"] = "未读户数",
        ["OriginalAmountFen"] = "原金额",
        ["StaffNote"] = "调整说明",
        ["VoidedAt"] = "作废时间",
        ["PhoneTail"] = "手机尾号",
        ["RecordedById"] = "登记人",
        ["ReporterName"] = "报修人姓名",
        ["Recipients"] = "提醒人数",
    };

    /// <summary>Every value of every status-like enum the model stores, as <c>Type.Member</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnumValues = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AccountKind.Resident"] = "居民账户",
        ["AccountKind.CommunityPool"] = "社区积分池",
        ["AccountKind.Escrow"] = "托管（待结算服务单）",
        ["AdminRole.PlatformAdmin"] = "平台管理员",
        ["AdminRole.CommunityAdmin"] = "社区管理员",
        ["AdminRole.FirmStaff"] = "物业人员",
        ["AdminRole.GridWorker"] = "网格员",
        ["AdminRole.CommitteeMember"] = "业委会成员",
        ["BallotChannel.Online"] = "在线",
        ["BallotChannel.Paper"] = "纸质",
        ["BallotChannel.Proxy"] = "委托",
        ["BillingRunStatus.Running"] = "进行中",
        ["BillingRunStatus.Completed"] = "已完成",
        ["BillingRunStatus.Failed"] = "失败",
        ["BillStatus.Unpaid"] = "未缴",
        ["BillStatus.Paid"] = "已缴",
        ["BillStatus.Refunded"] = "已退款",
        ["BillStatus.Voided"] = "已作废",
        ["BudgetStatus.Draft"] = "草稿",
        ["BudgetStatus.Approved"] = "已批准",
        ["EventStatus.Draft"] = "草稿",
        ["EventStatus.Published"] = "已发布",
        ["EventStatus.Cancelled"] = "已取消",
        ["EventStatus.Completed"] = "已结束",
        ["ExpenseStatus.Proposed"] = "待审批",
        ["ExpenseStatus.Approved"] = "已批准",
        ["ExpenseStatus.Rejected"] = "已驳回",
        ["ExpenseStatus.Paid"] = "已支付",
        ["ExpenseStatus.Cancelled"] = "已撤回",
        ["FeeKind.PerAreaMonthly"] = "按面积每月",
        ["FeeKind.FixedMonthly"] = "固定每月",
        ["FeeKind.OneOff"] = "一次性",
        ["FigureDimension.Estate"] = "按小区",
        ["FigureDimension.Building"] = "按楼栋",
        ["FigureDimension.Assignee"] = "按处理人",
        ["FundEntryKind.Income"] = "收入",
        ["FundEntryKind.Expense"] = "支出",
        ["FundEntryKind.Remuneration"] = "受托人报酬",
        ["FundEntryKind.Reversal"] = "冲正",
        ["LedgerCategory.VolunteerService"] = "志愿服务",
        ["LedgerCategory.EventAttendance"] = "活动参与",
        ["LedgerCategory.Redemption"] = "兑换",
        ["LedgerCategory.RedemptionRefund"] = "兑换退还",
        ["LedgerCategory.Donation"] = "捐赠",
        ["LedgerCategory.ServiceOrder"] = "志愿服务单",
        ["LedgerCategory.Correction"] = "更正",
        ["NoticeScopeLevel.Community"] = "社区",
        ["NoticeScopeLevel.Estate"] = "小区",
        ["NoticeScopeLevel.Building"] = "楼栋",
        ["PaymentChannel.WeChat"] = "微信支付",
        ["PaymentChannel.Cash"] = "现金",
        ["PaymentChannel.BankTransfer"] = "银行转账",
        ["PaymentStatus.Pending"] = "待支付",
        ["PaymentStatus.Paid"] = "已支付",
        ["PaymentStatus.Closed"] = "已关闭",
        ["PaymentStatus.Refunded"] = "已全额退款",
        ["PhotoStage.Report"] = "报修时",
        ["PhotoStage.Resolution"] = "处理后",
        ["QuestionStatus.Held"] = "待审核",
        ["QuestionStatus.Published"] = "已公开",
        ["QuestionStatus.Refused"] = "未通过",
        ["RedemptionStatus.Pending"] = "待领取",
        ["RedemptionStatus.Fulfilled"] = "已领取",
        ["RedemptionStatus.Cancelled"] = "已取消",
        ["RefundStatus.Processing"] = "处理中",
        ["RefundStatus.Succeeded"] = "已退款",
        ["RefundStatus.Failed"] = "失败",
        ["RepairSource.MiniProgram"] = "小程序",
        ["RepairSource.Open311"] = "城市平台（Open311）",
        ["RepairSource.Topic"] = "议事转办",
        ["RepairSource.Phone"] = "电话",
        ["RepairSource.Counter"] = "前台",
        ["RepairSource.GridPatrol"] = "网格巡查",
        ["RepairStatus.Submitted"] = "待派单",
        ["RepairStatus.Assigned"] = "已派单",
        ["RepairStatus.InProgress"] = "处理中",
        ["RepairStatus.Resolved"] = "已处理待评价",
        ["RepairStatus.Closed"] = "已办结",
        ["RepairStatus.Cancelled"] = "已取消",
        ["ResidenceRelation.Owner"] = "业主",
        ["ResidenceRelation.Tenant"] = "租户",
        ["ResidenceRelation.Family"] = "家属",
        ["ResidenceStatus.Pending"] = "待审核",
        ["ResidenceStatus.Approved"] = "已通过",
        ["ResidenceStatus.Rejected"] = "已驳回",
        ["ServiceOrderStatus.Open"] = "待接单",
        ["ServiceOrderStatus.Claimed"] = "服务中",
        ["ServiceOrderStatus.Completed"] = "待确认",
        ["ServiceOrderStatus.Confirmed"] = "已完成",
        ["ServiceOrderStatus.Cancelled"] = "已取消",
        ["ServiceOrderStatus.Disputed"] = "有争议",
        ["ServiceOrderStatus.Resolved"] = "已裁定",
        ["SignupStatus.Confirmed"] = "已报名",
        ["SignupStatus.Waitlisted"] = "候补",
        ["SignupStatus.Cancelled"] = "已取消",
        ["TopicKind.Unclassified"] = "未分流",
        ["TopicKind.Major"] = "重大事项",
        ["TopicKind.Minor"] = "一般事项",
        ["TopicKind.Routine"] = "日常事务",
        ["TopicStatus.Open"] = "征集中",
        ["TopicStatus.Accepted"] = "已受理",
        ["TopicStatus.InVote"] = "表决中",
        ["TopicStatus.Decided"] = "已决定",
        ["TopicStatus.Rejected"] = "不予受理",
        ["TopicStatus.Closed"] = "已关闭",
        ["VolunteerStatus.Pending"] = "待审核",
        ["VolunteerStatus.Approved"] = "已通过",
        ["VolunteerStatus.Rejected"] = "已驳回",
        ["VoteRule.Simple"] = "简单多数",
        ["VoteRule.Art278Ordinary"] = "民法典第278条一般事项",
        ["VoteRule.Art278Major"] = "民法典第278条重大事项",
        ["VoteStatus.Announced"] = "已公告",
        ["VoteStatus.Open"] = "投票中",
        ["VoteStatus.Closed"] = "已结束",
        ["VoteStatus.Cancelled"] = "已取消",
    };
}
