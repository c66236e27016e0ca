using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MySqlConnector;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Hosting;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.Web.Features.Payments;

/// <summary>Published once per collected payment; the owners' fund ledger records it as income.</summary>
public sealed record PaymentCollected(long PaymentId, long EstateId, long AmountFen, string Channel, DateTimeOffset PaidAt);

/// <summary>Published once per refund that succeeded (money back to the payer); the owners' fund records it as a reversal.</summary>
public sealed record RefundSucceeded(long RefundId, long PaymentId, long EstateId, long AmountFen, DateTimeOffset At);

public sealed record PaymentCreated(long PaymentId, string OutTradeNo, long AmountFen, PayParams PayParams);

public sealed class WeChatPayUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// 物业缴费 with WeChat Pay v3 JSAPI: lock the bills to one payment, order, and mark paid exactly once when
/// WeChat says so (callback or reconciliation). Every state change of money is a conditional update, so
/// duplicate callbacks, racing residents and several instances cannot pay, lock or refund anything twice.
/// </summary>
public sealed class PaymentService(IWeChatPay wechat, IOptions<WeChatPayOptions> options, IOptions<DatabaseOptions> database, TimeProvider clock,
    ILogger<PaymentService> log)
{
    private readonly bool _oneTrip = OneTripTransaction.SupportedBy(database.Value);

    public const string CollectedTopic = "payments.collected";
    public const string RefundedTopic = "payments.refunded";
    public static readonly TimeSpan OrderLifetime = TimeSpan.FromHours(2);

    public async Task<PaymentCreated> CreateAsync(NeighbourHubDbContext db, long residentId, string openId, IReadOnlyList<long> billIds, string idempotencyKey,
        CancellationToken ct)
    {
        var ids = billIds.Distinct().Order().ToList();
        var billIdsKey = string.Join(",", ids);

        // A replayed key answers what the first request answered; the same key for other bills is a mistake.
        var earlier = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.ResidentId == residentId && p.IdempotencyKey == idempotencyKey, ct);
        if (earlier is not null)
        {
            // The first request with this key locked the bills but never got its WeChat order (the instance died, or
            // the database went away between the two steps): finish it now, for the same order number.
            if (earlier is { Status: PaymentStatus.Pending, PayParamsJson: null } && earlier.BillIdsKey == billIdsKey
                && earlier.ExpiresAt > clock.GetUtcNow().AddMinutes(5))
            {
                var lockedBills = await (from pb in db.PaymentBills
                                         join b in db.Bills on pb.BillId equals b.Id
                                         where pb.PaymentId == earlier.Id
                                         select b).AsNoTracking().ToListAsync(ct);
                if (lockedBills.Count > 0)
                {
                    return await OrderInWeChatAsync(db, earlier, lockedBills, openId, ct);
                }
            }

            return Replay(earlier, billIdsKey);
        }

        // The query filter shows a resident only the bills of their verified households: others are "not found".
        var bills = await db.Bills.AsNoTracking().Where(b => ids.Contains(b.Id)).ToListAsync(ct);
        if (bills.Count != ids.Count)
        {
            throw new NotFoundException("账单");
        }

        if (bills.FirstOrDefault(b => b.Status == BillStatus.Voided) is { } voided)
        {
            throw new ConflictException($"账单（{voided.FeeItemName} {voided.Period}）已被物业作废，无需缴纳。");
        }

        if (bills.FirstOrDefault(b => b.Status != BillStatus.Unpaid) is { } paid)
        {
            throw new ConflictException($"账单（{paid.FeeItemName} {paid.Period}）已缴费，无需重复缴纳。");
        }

        // Paying the same bills again while one's own order is still open resumes it (the pay sheet was dismissed).
        if (bills.Select(b => b.LockedByPaymentId).Distinct().ToList() is [{ } lockedBy]
            && await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == lockedBy, ct) is { Status: PaymentStatus.Pending } open
            && open.ResidentId == residentId && open.BillIdsKey == billIdsKey && open.PayParamsJson is not null && open.ExpiresAt > clock.GetUtcNow().AddMinutes(5))
        {
            return Replay(open, billIdsKey);
        }

        if (bills.FirstOrDefault(b => b.LockedByPaymentId is not null) is { } locked)
        {
            throw new ConflictException($"账单（{locked.FeeItemName} {locked.Period}）正在另一笔订单中支付，请先完成或取消那笔支付。");
        }

        if (bills.Select(b => b.EstateId).Distinct().Count() > 1)
        {
            throw new DomainValidationException("billIds", "一次只能缴纳同一个小区的账单。");
        }

        var now = clock.StorableNow();
        var payment = new Payment
        {
            EstateId = bills[0].EstateId,
            ResidentId = residentId,
            Channel = PaymentChannel.WeChat,
            OutTradeNo = NewOutTradeNo(now),
            AmountFen = bills.Sum(b => b.AmountFen),
            Status = PaymentStatus.Pending,
            IdempotencyKey = idempotencyKey,
            BillIdsKey = billIdsKey,
            CreatedAt = now,
            ExpiresAt = now + OrderLifetime,
        };

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            db.Payments.Add(payment);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The same key raced in from a second request: answer as the first did.
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                var first = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.ResidentId == residentId && p.IdempotencyKey == idempotencyKey, ct)
                    ?? throw new ConflictException("使用同一 Idempotency-Key 的另一笔支付正在处理中，请稍后重试。");
                return Replay(first, billIdsKey);
            }

            // The lock comes first: every bill must still be unpaid and free, or nothing is locked. Taking the bills'
            // row locks before anything else references them keeps racing payments from deadlocking each other.
            if (!await BillLedger.LockForPaymentAsync(db, ids, payment.Id, ct))
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                throw new ConflictException("这些账单此刻正在被支付、已缴或已作废，请刷新后查看状态。");
            }

            // Read under the lock: staff may have adjusted an amount since the bills were read above.
            if (await db.Bills.Where(b => ids.Contains(b.Id)).SumAsync(b => b.AmountFen, ct) != payment.AmountFen)
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                throw new ConflictException("账单金额刚刚被物业调整，请刷新后重新支付。");
            }

            db.PaymentBills.AddRange(bills.Select(b => new PaymentBill { PaymentId = payment.Id, BillId = b.Id, AmountFen = b.AmountFen }));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        return await OrderInWeChatAsync(db, payment, bills, openId, ct);
    }

    /// <summary>
    /// Orders the locked bills in WeChat Pay and keeps the pay sheet's parameters on the payment. A failure releases the
    /// bills. Asked twice for one payment (a resumed request), WeChat answers the same order number with its prepay id.
    /// </summary>
    private async Task<PaymentCreated> OrderInWeChatAsync(NeighbourHubDbContext db, Payment payment, List<Bill> bills, string openId, CancellationToken ct)
    {
        var o = options.Value;
        var description = bills.Count == 1 ? $"{bills[0].FeeItemName} {bills[0].Period}" : $"物业缴费 {bills.Count} 笔";
        try
        {
            var prepayId = await wechat.CreateJsapiOrderAsync(new JsapiOrderRequest(
                wechat.Keys.AppId, wechat.Keys.MchId, description, payment.OutTradeNo,
                payment.ExpiresAt.Show("yyyy-MM-dd'T'HH:mm:sszzz"),
                payment.Id.ToString(CultureInfo.InvariantCulture), o.NotifyUrl, new PayAmount(payment.AmountFen), new Payer(openId)), ct);
            var payParams = WeChatPayNotifications.PayParamsFor(wechat.Keys, prepayId, clock.GetUtcNow());
            await db.Payments.Where(p => p.Id == payment.Id).ExecuteUpdateAsync(u => u
                .SetProperty(p => p.PrepayId, prepayId).SetProperty(p => p.PayParamsJson, JsonSerializer.Serialize(payParams)), ct);
            return new PaymentCreated(payment.Id, payment.OutTradeNo, payment.AmountFen, payParams);
        }
        catch (Exception e) when (e is WeChatPayException or HttpRequestException or TaskCanceledException)
        {
            log.LogWarning(e, "WeChat Pay refused or failed order {OutTradeNo}; releasing its bills", payment.OutTradeNo);
            await CloseLocallyAsync(db, payment.Id, ct);
            ProductMetrics.PaymentFailed();
            throw new WeChatPayUnavailableException("微信支付下单失败，没有扣款，请稍后重试。", e);
        }
    }

    private static PaymentCreated Replay(Payment earlier, string billIdsKey)
    {
        if (earlier.BillIdsKey != billIdsKey)
        {
            throw new ConflictException("此 Idempotency-Key 已用于其他账单，新的支付请使用新的 Idempotency-Key。");
        }

        var payParams = earlier.PayParamsJson is null ? null : JsonSerializer.Deserialize<PayParams>(earlier.PayParamsJson);
        return payParams is null
            ? throw new ConflictException("使用此 Idempotency-Key 的第一次请求没有完成，请换一个新的 Idempotency-Key 重试。")
            : new PaymentCreated(earlier.Id, earlier.OutTradeNo, earlier.AmountFen, payParams);
    }

    /// <summary>"NH" + Beijing time to the second + 12 random digits and letters: 28 characters, unique per merchant.</summary>
    private static string NewOutTradeNo(DateTimeOffset now) =>
        "NH" + now.Show("yyyyMMddHHmmss") + RandomNumberGenerator.GetString("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", 12);

    /// <summary>
    /// Applies what WeChat says about an order (from a verified callback or a verified query answer).
    /// Pending → Paid happens once; its bills become paid in the same transaction and the collection is published.
    /// </summary>
    public async Task<ApplyOutcome> ApplyTransactionAsync(NeighbourHubDbContext db, WeChatTransaction t, CancellationToken ct)
    {
        if (t.Mchid != wechat.Keys.MchId || t.Appid != wechat.Keys.AppId)
        {
            return ApplyOutcome.Rejected($"商户号/AppID（{t.Mchid}/{t.Appid}）不属于本系统", ProductMetrics.CallbackReasons.Merchant);
        }

        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.OutTradeNo == t.OutTradeNo, ct);
        if (payment is null)
        {
            return ApplyOutcome.Rejected($"找不到商户订单号 {t.OutTradeNo}", ProductMetrics.CallbackReasons.UnknownOrder);
        }

        if (t.TradeState != "SUCCESS")
        {
            return ApplyOutcome.Ignored($"trade_state {t.TradeState}");
        }

        if (t.Amount?.Total != payment.AmountFen)
        {
            await FlagAsync(db, payment.Id, $"微信支付通知的金额为 {Billing.Money.Yuan(t.Amount?.Total ?? 0)} 元，订单金额为 {Billing.Money.Yuan(payment.AmountFen)} 元（微信支付单号 {t.TransactionId}），未标记为已支付。", ct);
            ProductMetrics.PaymentFlagged("amount_mismatch");
            return ApplyOutcome.Rejected("金额与订单不符", ProductMetrics.CallbackReasons.AmountMismatch);
        }

        if (payment.Status == PaymentStatus.Paid)
        {
            return ApplyOutcome.AlreadyApplied;
        }

        if (payment.Status != PaymentStatus.Pending)
        {
            return await PaidAfterCloseAsync(db, payment.Id, payment.Status, t.TransactionId, ct);
        }

        var paidAt = DateTimeOffset.TryParse(t.SuccessTime, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at.ToUniversalTime() : clock.GetUtcNow();
        paidAt = new DateTimeOffset(paidAt.UtcTicks - paidAt.UtcTicks % 10, TimeSpan.Zero);
        var won = _oneTrip
            ? await MarkPaidInOneTripAsync(db, payment, t.TransactionId, paidAt, ct)
            : await MarkPaidAsync(db, payment, t.TransactionId, paidAt, ct);

        if (!won)
        {
            // A duplicate delivery got here first, or the order was closed between our read and our write.
            var status = await db.Payments.Where(p => p.Id == payment.Id).Select(p => p.Status).SingleAsync(ct);
            return status == PaymentStatus.Paid ? ApplyOutcome.AlreadyApplied : await PaidAfterCloseAsync(db, payment.Id, status, t.TransactionId, ct);
        }

        ProductMetrics.PaymentCollected(nameof(PaymentChannel.WeChat), payment.AmountFen);
        log.LogInformation("Payment {Payment} ({OutTradeNo}) paid: {Fen} fen", payment.Id, payment.OutTradeNo, payment.AmountFen);
        return ApplyOutcome.Applied;
    }

    /// <summary>
    /// Pending → Paid, its bills settled and "collected" queued for the fund, in one transaction; false when the payment
    /// was no longer pending (a duplicate delivery won, or it was closed). SQLite and MySQL; MariaDB takes one trip.
    /// </summary>
    private async Task<bool> MarkPaidAsync(NeighbourHubDbContext db, Payment payment, string? transactionId, DateTimeOffset paidAt, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var won = await db.Payments.Where(p => p.Id == payment.Id && p.Status == PaymentStatus.Pending).ExecuteUpdateAsync(u => u
            .SetProperty(p => p.Status, PaymentStatus.Paid).SetProperty(p => p.PaidAt, paidAt).SetProperty(p => p.TransactionId, transactionId)
            .SetProperty(p => p.ReceiptNo, ReceiptNumber(payment.Id, paidAt)), ct);
        if (won == 0)
        {
            return false;
        }

        await BillLedger.SettleAsync(db, payment.Id, paidAt, ct);
        PublishCollected(db, payment.Id, payment.EstateId, payment.AmountFen, PaymentChannel.WeChat, paidAt);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    // MarkPaidAsync on MariaDB: one round trip (OneTripTransaction) instead of five (BEGIN, three writes, COMMIT), and
    // none of EF's per-call translation of the updates or change tracking of the insert, which were most of a
    // callback's app time (ADR 0014). The payment's conditional update decides, as in MarkPaidAsync: the bills and the
    // message are written only when it changed the row (a duplicate delivery waits on the payment row, then finds it
    // paid). (Not INSERT … SELECT WHERE …: such a bulk insert holds the table's AUTO-INC lock while it waits for row
    // locks, and under concurrent callbacks MariaDB failed it with "Failed to read auto-increment value from storage engine".)
    private static readonly string MarkPaidSql = OneTripTransaction.Sql($"""
        UPDATE `Payments` SET `Status` = 'Paid', `PaidAt` = @paidAt, `TransactionId` = @transaction, `ReceiptNo` = @receipt
        WHERE `Id` = @payment AND `Status` = 'Pending';
        IF ROW_COUNT() = 1 THEN
          {BillLedger.SettleByPaymentSql}
          {Outbox.InsertNewSql}
          SET ok = 1;
        END IF;
        """);

    private async Task<bool> MarkPaidInOneTripAsync(NeighbourHubDbContext db, Payment payment, string? transactionId, DateTimeOffset paidAt,
        CancellationToken ct)
    {
        object[] parameters =
        [
            new MySqlParameter("@payment", payment.Id), new MySqlParameter("@paidAt", paidAt.UtcDateTime),
            new MySqlParameter("@transaction", transactionId), new MySqlParameter("@receipt", ReceiptNumber(payment.Id, paidAt)),
            .. Outbox.SqlParameters(CollectedTopic, CollectedKey(payment.Id),
                new PaymentCollected(payment.Id, payment.EstateId, payment.AmountFen, nameof(PaymentChannel.WeChat), paidAt), clock),
        ];
        return await OneTripTransaction.RunAsync(db, MarkPaidSql, parameters, ct);
    }

    private static string CollectedKey(long paymentId) => $"payment:{paymentId}";

    /// <summary>
    /// Queues "collected" for the fund. Called only by the request that turned the payment paid (its conditional update
    /// won, or it created the payment paid), so the message is new and needs no existence check.
    /// </summary>
    internal void PublishCollected(NeighbourHubDbContext db, long paymentId, long estateId, long amountFen, PaymentChannel channel, DateTimeOffset paidAt) =>
        Outbox.AddNew(db, CollectedTopic, CollectedKey(paymentId),
            new PaymentCollected(paymentId, estateId, amountFen, channel.ToString(), paidAt), clock);

    /// <summary>Receipt numbers read as the day they were paid plus the payment id: NH-20261123-00001234.</summary>
    public static string ReceiptNumber(long paymentId, DateTimeOffset paidAt) =>
        $"NH-{paidAt.Show("yyyyMMdd")}-{paymentId:D8}";

    /// <summary>WeChat took the money for an order we had closed: staff refund or book it by hand.</summary>
    private static async Task<ApplyOutcome> PaidAfterCloseAsync(NeighbourHubDbContext db, long paymentId, PaymentStatus status, string? transactionId,
        CancellationToken ct)
    {
        await FlagAsync(db, paymentId, $"订单已是「{StatusTexts.Of(status)}」后才收到付款（微信支付单号 {transactionId}），请人工退款或入账。", ct);
        ProductMetrics.PaymentFlagged("paid_after_close");
        return ApplyOutcome.AlreadyApplied;
    }

    private static Task FlagAsync(NeighbourHubDbContext db, long paymentId, string note, CancellationToken ct) =>
        db.Payments.Where(p => p.Id == paymentId).ExecuteUpdateAsync(u => u.SetProperty(p => p.NeedsReview, true).SetProperty(p => p.ReviewNote, note), ct);

    /// <summary>Pending → Closed and its bills freed, once; returns false when it was no longer pending.</summary>
    public async Task<bool> CloseLocallyAsync(NeighbourHubDbContext db, long paymentId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var closed = await db.Payments.Where(p => p.Id == paymentId && p.Status == PaymentStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.Status, PaymentStatus.Closed).SetProperty(p => p.ClosedAt, clock.StorableNow()), ct);
        if (closed == 0)
        {
            return false;
        }

        await BillLedger.ReleaseAsync(db, paymentId, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>The resident gives up an open order: close it at WeChat first (so it cannot be paid), then here.</summary>
    public async Task CancelAsync(NeighbourHubDbContext db, long paymentId, long residentId, CancellationToken ct)
    {
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == paymentId && p.ResidentId == residentId, ct)
            ?? throw new NotFoundException("支付订单");
        if (payment.Status != PaymentStatus.Pending)
        {
            throw new ConflictException($"这笔支付当前为「{StatusTexts.Of(payment.Status)}」，只有待支付的订单才能取消。");
        }

        await ReconcileAsync(db, payment, closeIfUnpaid: true, ct);
    }

    /// <summary>
    /// Asks WeChat about a pending order (the answer's signature is verified by the client) and applies it:
    /// paid → paid here; unknown, closed or (when asked) unpaid → closed at WeChat and here, bills freed.
    /// </summary>
    public async Task<string> ReconcileAsync(NeighbourHubDbContext db, Payment payment, bool closeIfUnpaid, CancellationToken ct)
    {
        var t = await wechat.QueryOrderAsync(payment.OutTradeNo, ct);
        if (t is { TradeState: "SUCCESS" })
        {
            return (await ApplyTransactionAsync(db, t, ct)).Note;
        }

        if (t is null || t.TradeState is "CLOSED" or "REVOKED" or "PAYERROR" || closeIfUnpaid)
        {
            if (t is not null && t.TradeState is "NOTPAY" or "USERPAYING")
            {
                await wechat.CloseOrderAsync(payment.OutTradeNo, ct);
            }

            return await CloseLocallyAsync(db, payment.Id, ct) ? "closed" : "already settled";
        }

        return $"still {t.TradeState}";
    }
}

/// <summary>What applying a transaction did; a rejection also names its metrics reason (<see cref="ProductMetrics.CallbackReasons"/>).</summary>
public sealed record ApplyOutcome(bool Ok, string Note, string? Reason = null)
{
    public static readonly ApplyOutcome Applied = new(true, "applied");
    public static readonly ApplyOutcome AlreadyApplied = new(true, "already applied");

    public static ApplyOutcome Ignored(string note) => new(true, note);

    public static ApplyOutcome Rejected(string note, string reason) => new(false, note, reason);
}
