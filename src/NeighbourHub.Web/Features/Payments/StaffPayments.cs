using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Hosting;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.Web.Features.Payments;

/// <summary>
/// What staff do with money: record cash and bank transfers, and refund (full or partial, per bill). A
/// refund first reserves its amount on the bill with a conditional update that can never push the refunded
/// total past what was paid; if WeChat refuses, the reservation is released.
/// </summary>
public sealed class StaffPayments(IWeChatPay wechat, PaymentService payments, IOptions<WeChatPayOptions> options, TimeProvider clock, ILogger<StaffPayments> log)
{
    /// <summary>
    /// Records cash or a bank transfer for one bill. With an <paramref name="idempotencyKey"/>, a replay (a double
    /// click, a retried request) answers the payment the first request recorded. The API and the console both come
    /// here, so both check the same input.
    /// </summary>
    public Task<Payment> RecordOfflineAsync(NeighbourHubDbContext db, long billId, PaymentChannel? channel, string? reference, CancellationToken ct,
        string? idempotencyKey = null) => RecordOfflineAsync(db, [billId], channel, reference, ct, idempotencyKey);

    /// <summary>
    /// Records one cash or bank-transfer payment at the counter for several bills of one household: one payment, one
    /// receipt listing them all. All the bills become paid by it or none does: a bill a resident is paying in WeChat at
    /// the same moment (locked to their order) or paid a moment ago makes the whole payment refused, never paid twice.
    /// </summary>
    public async Task<Payment> RecordOfflineAsync(NeighbourHubDbContext db, IReadOnlyCollection<long>? billIds, PaymentChannel? channel, string? reference,
        CancellationToken ct, string? idempotencyKey = null)
    {
        var v = new Validation()
            .When(billIds is null or { Count: 0 }, "billIds", "请选择要收款的账单。")
            .When(billIds is { Count: > 50 }, "billIds", "一次最多收 50 张账单。")
            .When(billIds?.Any(id => id <= 0) == true, "billIds", "账单编号必须是正整数。")
            .When(channel is null or PaymentChannel.WeChat, "channel", "线下收款只能是 cash（现金）或 bankTransfer（银行转账）。")
            .When(string.IsNullOrWhiteSpace(reference) || reference.Length > 64, "reference", "请填写收据号或转账流水号（最多 64 字）。");
        CheckKey(v, idempotencyKey);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var ids = billIds!.Distinct().Order().ToList();
        var key = StoredKey("offline", ids[0], idempotencyKey);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await RecordOfflineOnceAsync(db, ids, channel!.Value, reference!.Trim(), key, ct);
            }
            catch (Exception e) when (key is not null && attempt < 2 && (e is DbUpdateException || DatabaseCollisions.IsCollision(e)))
            {
                // A replay racing its first request: the unique key (or a deadlock between the two) stopped this
                // one and rolled it back. Once more from the top: it finds and answers what the first recorded.
                db.ChangeTracker.Clear();
            }
            catch (Exception e) when (key is null && DatabaseCollisions.IsCollision(e))
            {
                // Lost a deadlock to a WeChat order taking the same bills: everything here rolled back, nothing is paid.
                db.ChangeTracker.Clear();
                throw new ConflictException("这些账单此刻正在被支付，本次没有收款，请刷新后查看。");
            }
        }
    }

    /// <summary>
    /// The key stored for a keyed staff step: the step, the row and a digest of the client's key, so any key of
    /// up to 64 characters fits the 64-character column.
    /// </summary>
    private static string? StoredKey(string step, long id, string? idempotencyKey) =>
        idempotencyKey is null ? null
            : $"{step}:{id}:{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(idempotencyKey)))[..32]}";

    private async Task<Payment> RecordOfflineOnceAsync(NeighbourHubDbContext db, List<long> ids, PaymentChannel channel, string reference, string? key,
        CancellationToken ct)
    {
        var billIdsKey = string.Join(",", ids);
        if (await RecordedUnderAsync(db, key, ct) is { } first)
        {
            return first.BillIdsKey == billIdsKey ? first : throw new ConflictException("此 Idempotency-Key 已用于其他账单，新的收款请使用新的 Idempotency-Key。");
        }

        // Out of scope is simply not found, like any other id.
        var bills = await db.Bills.AsNoTracking().Where(b => ids.Contains(b.Id)).ToListAsync(ct);
        if (bills.Count != ids.Count)
        {
            throw new NotFoundException("账单");
        }

        if (bills.FirstOrDefault(b => b.Status != BillStatus.Unpaid) is { } closed)
        {
            throw new ConflictException($"账单（{closed.FeeItemName} {closed.Period}）{StatusTexts.Of(closed.Status)}，不能再登记收款。");
        }

        if (bills.FirstOrDefault(b => b.LockedByPaymentId is not null) is { } locked)
        {
            throw new ConflictException($"居民正在微信中支付账单（{locked.FeeItemName} {locked.Period}），请等支付完成或订单过期后再登记。");
        }

        if (bills.Select(b => b.HouseholdId).Distinct().Count() > 1)
        {
            throw new DomainValidationException("billIds", "一次收款只能包含同一户的账单（一张收据对应一户）。");
        }

        var now = clock.StorableNow();
        var payment = new Payment
        {
            EstateId = bills[0].EstateId,
            Channel = channel,
            OutTradeNo = "OFF" + now.Show("yyyyMMddHHmmss") + RandomNumberGenerator.GetString("0123456789", 10),
            AmountFen = bills.Sum(b => b.AmountFen),
            Status = PaymentStatus.Paid,
            BillIdsKey = billIdsKey,
            CreatedAt = now,
            ExpiresAt = now,
            PaidAt = now,
            OfflineReference = reference,
            RecordedBy = db.Scope.Value.ActorName,
            IdempotencyKey = key,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Payments.Add(payment);
        await db.SaveChangesAsync(ct);
        // As the WeChat order does: the payment row, then every bill by one conditional update (unpaid and not locked
        // to an order), then nothing else references them. Whichever of the two updates comes second finds the bills
        // taken and rolls back whole. The sum is checked inside the lock: an amount adjusted meanwhile refuses too.
        if (!await BillLedger.MarkPaidAsync(db, ids, payment.Id, now, ct)
            || await db.Bills.Where(b => ids.Contains(b.Id)).SumAsync(b => b.AmountFen, ct) != payment.AmountFen)
        {
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            // A replay that raced its first request: answer what the first one recorded.
            if (await RecordedUnderAsync(db, key, ct) is { } raced)
            {
                return raced;
            }

            throw new ConflictException("这些账单刚刚被支付、锁定或调整了金额，本次没有收款，请刷新查看。");
        }

        payment.ReceiptNo = PaymentService.ReceiptNumber(payment.Id, now);
        db.PaymentBills.AddRange(bills.Select(b => new PaymentBill { PaymentId = payment.Id, BillId = b.Id, AmountFen = b.AmountFen }));
        payments.PublishCollected(db, payment.Id, payment.EstateId, payment.AmountFen, payment.Channel, now);
        db.Audit("payment.offline", nameof(Payment), payment.Id.ToString(CultureInfo.InvariantCulture),
            new { billIds = ids, payment.AmountFen, channel = payment.Channel.ToString(), reference });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        ProductMetrics.PaymentCollected(payment.Channel.ToString(), payment.AmountFen);
        return payment;
    }

    /// <summary>The offline payment an earlier request recorded under this key, if any.</summary>
    private static async Task<Payment?> RecordedUnderAsync(NeighbourHubDbContext db, string? key, CancellationToken ct) =>
        key is null ? null : await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.ResidentId == null && p.IdempotencyKey == key, ct);

    /// <summary>The optional Idempotency-Key a person or a client sends with a money step.</summary>
    private static void CheckKey(Validation v, string? idempotencyKey) =>
        v.When(idempotencyKey?.Length > Idempotency.MaxKeyLength, Idempotency.Header, "Idempotency-Key 最多 64 个字符。");

    /// <summary>
    /// Refunds part or all of one bill of a payment. With an <paramref name="idempotencyKey"/>, a replay answers the first refund.
    /// The API and the console both come here, so both check the same input.
    /// </summary>
    public async Task<Refund> RefundAsync(NeighbourHubDbContext db, long paymentId, long? billId, long? amountFen, string? reason, CancellationToken ct,
        string? idempotencyKey = null)
    {
        var v = new Validation().Positive("billId", billId)
            .When(amountFen is null or <= 0, "amountFen", "退款金额必须大于 0（单位：分）。")
            .When(string.IsNullOrWhiteSpace(reason) || reason.Length > 80, "reason", "请填写退款原因（最多 80 字）。");
        CheckKey(v, idempotencyKey);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        return await RefundValidAsync(db, paymentId, billId!.Value, amountFen!.Value, reason!.Trim(), idempotencyKey, ct);
    }

    private async Task<Refund> RefundValidAsync(NeighbourHubDbContext db, long paymentId, long billId, long amountFen, string reason, string? idempotencyKey,
        CancellationToken ct)
    {
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == paymentId, ct) ?? throw new NotFoundException("缴费记录");
        if (idempotencyKey is not null && await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.PaymentId == paymentId && r.IdempotencyKey == idempotencyKey, ct) is { } first)
        {
            return first;
        }

        if (payment.Status is not (PaymentStatus.Paid or PaymentStatus.Refunded))
        {
            throw new ConflictException($"只有已支付的款项才能退款，这笔当前为「{StatusTexts.Of(payment.Status)}」。");
        }

        var share = await db.PaymentBills.AsNoTracking().SingleOrDefaultAsync(x => x.PaymentId == paymentId && x.BillId == billId, ct)
            ?? throw new DomainValidationException("billId", "这张账单不在这笔缴费中。");

        var now = clock.StorableNow();
        // The reservation: refunded + this amount may never exceed what the bill was paid.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await BillLedger.ReserveRefundAsync(db, billId, paymentId, amountFen, share.AmountFen, ct))
        {
            var left = await BillLedger.RefundableFenAsync(db, billId, share.AmountFen, ct);
            throw new ConflictException($"这张账单最多还能退 {Billing.Money.Yuan(left)} 元。");
        }

        await db.Payments.Where(p => p.Id == paymentId).ExecuteUpdateAsync(u => u
            .SetProperty(p => p.RefundedFen, p => p.RefundedFen + amountFen)
            .SetProperty(p => p.Status, p => p.RefundedFen + amountFen == p.AmountFen ? PaymentStatus.Refunded : PaymentStatus.Paid), ct);
        var refund = new Refund
        {
            PaymentId = paymentId,
            BillId = billId,
            AmountFen = amountFen,
            OutRefundNo = "RF" + payment.OutTradeNo[Math.Min(2, payment.OutTradeNo.Length)..] + RandomNumberGenerator.GetString("0123456789", 6),
            Status = payment.Channel == PaymentChannel.WeChat ? RefundStatus.Processing : RefundStatus.Succeeded,
            Reason = reason,
            RequestedBy = db.Scope.Value.ActorName,
            IdempotencyKey = idempotencyKey,
            CreatedAt = now,
            CompletedAt = payment.Channel == PaymentChannel.WeChat ? null : now,
        };
        db.Refunds.Add(refund);
        db.Audit("payment.refund", nameof(Payment), paymentId.ToString(CultureInfo.InvariantCulture), new { billId, amountFen, reason, refund.OutRefundNo });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // The same key raced in: its reservation rolls back with this transaction; answer the first refund.
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return await db.Refunds.AsNoTracking().SingleAsync(r => r.PaymentId == paymentId && r.IdempotencyKey == idempotencyKey, ct);
        }

        if (refund.Status == RefundStatus.Succeeded)
        {
            await PublishRefundedAsync(db, refund, payment.EstateId, ct);
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);

        if (payment.Channel != PaymentChannel.WeChat)
        {
            return refund; // cash goes back over the counter; the record is what matters
        }

        try
        {
            var answer = await wechat.RefundAsync(new RefundRequest(payment.OutTradeNo, refund.OutRefundNo, reason,
                string.IsNullOrEmpty(options.Value.RefundNotifyUrl) ? null : options.Value.RefundNotifyUrl, new RefundAmount(amountFen, payment.AmountFen)), ct);
            await ApplyRefundStateAsync(db, refund.OutRefundNo, answer.State, ct);
        }
        catch (Exception e) when (e is WeChatPayException or HttpRequestException or TaskCanceledException)
        {
            log.LogWarning(e, "Refund {OutRefundNo} refused by WeChat Pay; releasing its reservation", refund.OutRefundNo);
            await ApplyRefundStateAsync(db, refund.OutRefundNo, "ABNORMAL", ct);
            throw new ConflictException($"微信支付未受理这笔退款（{(e as WeChatPayException)?.Code ?? "无法连接微信支付"}），本次没有退款。");
        }

        return await db.Refunds.AsNoTracking().SingleAsync(r => r.Id == refund.Id, ct);
    }

    /// <summary>Money went back to the payer: the owners' fund reverses that much of its income (in the same transaction as the refund's state).</summary>
    private Task PublishRefundedAsync(NeighbourHubDbContext db, Refund refund, long estateId, CancellationToken ct) =>
        Notifications.Outbox.EnqueueAsync(db, PaymentService.RefundedTopic, $"refund:{refund.Id}",
            new RefundSucceeded(refund.Id, refund.PaymentId, estateId, refund.AmountFen, refund.CompletedAt ?? clock.GetUtcNow()), clock, ct);

    /// <summary>
    /// Applies a refund's outcome once (answer, callback or query): SUCCESS completes it; ABNORMAL/CLOSED fail it and
    /// give the reserved amount back to the bill and payment; PROCESSING waits.
    /// </summary>
    public async Task ApplyRefundStateAsync(NeighbourHubDbContext db, string outRefundNo, string state, CancellationToken ct)
    {
        var now = clock.StorableNow();
        if (state == "SUCCESS")
        {
            await using var done = await db.Database.BeginTransactionAsync(ct);
            var succeeded = await db.Refunds.Where(r => r.OutRefundNo == outRefundNo && r.Status == RefundStatus.Processing)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RefundStatus.Succeeded).SetProperty(r => r.CompletedAt, now), ct);
            if (succeeded == 1)
            {
                var refunded = await db.Refunds.AsNoTracking().SingleAsync(r => r.OutRefundNo == outRefundNo, ct);
                var estateId = await db.Payments.Where(p => p.Id == refunded.PaymentId).Select(p => p.EstateId).SingleAsync(ct);
                await PublishRefundedAsync(db, refunded, estateId, ct);
                await db.SaveChangesAsync(ct);
            }

            await done.CommitAsync(ct);
            return;
        }

        if (state is not ("ABNORMAL" or "CLOSED"))
        {
            return;
        }

        var refund = await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.OutRefundNo == outRefundNo, ct);
        if (refund is null)
        {
            return;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var failed = await db.Refunds.Where(r => r.Id == refund.Id && r.Status == RefundStatus.Processing)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RefundStatus.Failed).SetProperty(r => r.CompletedAt, now), ct);
        if (failed == 1)
        {
            await BillLedger.ReturnRefundAsync(db, refund.BillId, refund.AmountFen, ct);
            await db.Payments.Where(p => p.Id == refund.PaymentId).ExecuteUpdateAsync(u => u
                .SetProperty(p => p.RefundedFen, p => p.RefundedFen - refund.AmountFen).SetProperty(p => p.Status, PaymentStatus.Paid), ct);
        }

        await tx.CommitAsync(ct);
    }
}
