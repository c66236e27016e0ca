using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// The product's own counters, all in one <see cref="Meter"/> so the list of what operators can graph is in one file.
/// Features call these one-liners where the thing happens (after it committed). Names are OpenTelemetry's dotted
/// style; the Prometheus exporter turns <c>nh.payments.collected</c> into <c>nh_payments_collected_total</c>.
/// Labels are a handful of fixed words — never an id, a name or an amount — so a series never multiplies per
/// resident or per estate. The outbox's lag and dead letters are gauges read at scrape time (<see cref="OutboxProbe"/>).
/// </summary>
/// <remarks>
/// One static meter, not one per host from <c>IMeterFactory</c>: a listener hears every meter of that name in the
/// process anyway, and static one-liners keep the call sites free of constructor changes.
/// </remarks>
public static class ProductMetrics
{
    public const string MeterName = "NeighbourHub";

    /// <summary>Spans of background jobs (one per tick) come from here, so their log lines carry a trace id too.</summary>
    public static readonly ActivitySource Jobs = new(MeterName + ".Jobs");

    internal static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> PaymentsCollected = Meter.CreateCounter<long>("nh.payments.collected", description: "收款成功的笔数（微信支付与柜台收款），标签 channel");
    private static readonly Counter<long> PaymentsCollectedFen = Meter.CreateCounter<long>("nh.payments.collected.fen", description: "收款金额（分），标签 channel");
    private static readonly Counter<long> PaymentsFailed = Meter.CreateCounter<long>("nh.payments.failed", description: "微信支付下单失败、没有扣款的笔数");
    private static readonly Counter<long> PaymentsFlagged = Meter.CreateCounter<long>("nh.payments.flagged", description: "需要人工核对的支付（金额不符、关单后到账），标签 reason");
    private static readonly Counter<long> CallbacksRejected = Meter.CreateCounter<long>("nh.wechatpay.callbacks.rejected", description: "拒收的微信支付回调，标签 reason");
    private static readonly Counter<long> Signups = Meter.CreateCounter<long>("nh.events.signups", description: "活动报名，标签 status（confirmed / waitlisted）");
    private static readonly Counter<long> Escalations = Meter.CreateCounter<long>("nh.repairs.escalations", description: "报修超时升级的步数，标签 level（1 = 第一次升级，2 = 升级至社区）");
    private static readonly Counter<long> FundAppends = Meter.CreateCounter<long>("nh.fund.ledger.appends", description: "追加到维修基金账本的分录，标签 kind");
    private static readonly Counter<long> SignInFailures = Meter.CreateCounter<long>("nh.signin.failures", description: "登录失败，标签 who（resident / admin）与 reason");

    /// <summary>Reasons a WeChat Pay callback is refused; the label values, fixed here so a dashboard can list them.</summary>
    public static class CallbackReasons
    {
        public const string MissingHeaders = "missing_headers";
        public const string UnknownSerial = "unknown_serial";
        public const string StaleTimestamp = "stale_timestamp";
        public const string Signature = "signature";
        public const string NotANotification = "not_a_notification";
        public const string Decrypt = "decrypt";
        public const string Merchant = "merchant";
        public const string UnknownOrder = "unknown_order";
        public const string AmountMismatch = "amount_mismatch";
        public const string Malformed = "malformed";
    }

    public static void PaymentCollected(string channel, long amountFen)
    {
        var tag = new KeyValuePair<string, object?>("channel", channel.ToLowerInvariant());
        PaymentsCollected.Add(1, tag);
        PaymentsCollectedFen.Add(amountFen, tag);
    }

    public static void PaymentFailed() => PaymentsFailed.Add(1);

    public static void PaymentFlagged(string reason) => PaymentsFlagged.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void CallbackRejected(string reason) => CallbacksRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void EventSignup(bool confirmed) => Signups.Add(1, new KeyValuePair<string, object?>("status", confirmed ? "confirmed" : "waitlisted"));

    public static void RepairEscalated(int level) => Escalations.Add(1, new KeyValuePair<string, object?>("level", level == 1 ? "1" : "2"));

    public static void FundAppended(string kind, int entries) => FundAppends.Add(entries, new KeyValuePair<string, object?>("kind", kind.ToLowerInvariant()));

    public static void SignInFailed(bool admin, string reason) =>
        SignInFailures.Add(1, new KeyValuePair<string, object?>("who", admin ? "admin" : "resident"), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>
    /// The outbox gauges, on a meter of the same name that the host owns (so a stopped host stops reporting): read
    /// at scrape time through <paramref name="probe"/>, which asks the database at most every few seconds.
    /// </summary>
    internal static void AddOutboxGauges(Meter hostMeter, OutboxProbe probe)
    {
        hostMeter.CreateObservableGauge("nh.outbox.lag.seconds", () => probe.Read().LagSeconds,
            description: "最早一条未投递消息已等待的秒数（没有则为 0）");
        hostMeter.CreateObservableGauge("nh.outbox.pending", () => probe.Read().Pending, description: "等待投递的消息数");
        hostMeter.CreateObservableGauge("nh.outbox.dead_letters", () => probe.Read().DeadLetters, description: "近 7 天重试用尽、放弃投递的消息数（死信）");
    }

    /// <summary>
    /// One span per background job tick: with tracing on it is exported; with it off the activity still exists
    /// (created directly, nothing listens), so the tick's log lines carry a TraceId/SpanId to search by.
    /// </summary>
    public static Activity StartJob(string job) =>
        Jobs.StartActivity(job, ActivityKind.Internal) ?? new Activity(job).Start();
}
