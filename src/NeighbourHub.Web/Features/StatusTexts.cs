using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Events;
using NeighbourHub.Web.Features.Payments;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Features.TimeBank;

namespace NeighbourHub.Web.Features;

/// <summary>
/// Statuses and steps in the words residents and staff read in messages ("该报修单当前为「处理中」…").
/// The API's own values (submitted, in_progress, …) stay as they are in JSON; these are only for sentences.
/// </summary>
public static class StatusTexts
{
    public static string Of(RepairStatus s) => s switch
    {
        RepairStatus.Submitted => "待派单",
        RepairStatus.Assigned => "已派单",
        RepairStatus.InProgress => "处理中",
        RepairStatus.Resolved => "已处理待评价",
        RepairStatus.Closed => "已办结",
        _ => "已取消",
    };

    /// <summary>Several statuses as 「待派单」或「已派单」.</summary>
    public static string Of(IEnumerable<RepairStatus> statuses) => string.Join("或", statuses.Select(s => $"「{Of(s)}」"));

    public static string Of(EventStatus s) => s switch
    {
        EventStatus.Draft => "草稿",
        EventStatus.Published => "已发布",
        EventStatus.Cancelled => "已取消",
        _ => "已结束",
    };

    public static string Of(PaymentStatus s) => s switch
    {
        PaymentStatus.Pending => "待支付",
        PaymentStatus.Paid => "已支付",
        PaymentStatus.Closed => "已关闭",
        _ => "已全额退款",
    };

    public static string Of(PaymentChannel c) => c switch
    {
        PaymentChannel.WeChat => "微信支付",
        PaymentChannel.Cash => "现金",
        _ => "银行转账",
    };

    public static string Of(BillStatus s) => s switch
    {
        BillStatus.Unpaid => "未缴",
        BillStatus.Paid => "已缴",
        BillStatus.Voided => "已作废",
        _ => "已退款",
    };

    public static string Of(RedemptionStatus s) => s switch
    {
        RedemptionStatus.Pending => "待领取",
        RedemptionStatus.Fulfilled => "已领取",
        _ => "已取消",
    };

    public static string Of(ServiceOrderStatus s) => s switch
    {
        ServiceOrderStatus.Open => "待接单",
        ServiceOrderStatus.Claimed => "服务中",
        ServiceOrderStatus.Completed => "待确认",
        ServiceOrderStatus.Confirmed => "已完成",
        ServiceOrderStatus.Cancelled => "已取消",
        ServiceOrderStatus.Disputed => "有争议",
        _ => "已裁定",
    };

    /// <summary>The step that leads to <paramref name="next"/>: "不能{Step(next)}".</summary>
    public static string Step(ServiceOrderStatus next) => next switch
    {
        ServiceOrderStatus.Open => "重新开放",
        ServiceOrderStatus.Claimed => "接单",
        ServiceOrderStatus.Completed => "标记服务完成",
        ServiceOrderStatus.Confirmed => "确认完成",
        ServiceOrderStatus.Cancelled => "取消",
        ServiceOrderStatus.Disputed => "提出异议",
        _ => "裁定",
    };

    public static string Of(ResidenceRelation r) => r switch
    {
        ResidenceRelation.Owner => "业主",
        ResidenceRelation.Tenant => "租户",
        _ => "家属",
    };
}
