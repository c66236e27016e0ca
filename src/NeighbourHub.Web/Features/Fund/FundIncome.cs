using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Payments;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Fund;

/// <summary>
/// Money coming in and corrections: fee income as each payment is collected (and the trustee's remuneration on
/// it), reversals when a refund succeeds, common-area income the trustee records, and reversals of mistakes.
/// Fee entries follow from payment events, so a redelivered event appends nothing (its source key is in the ledger).
/// </summary>
public sealed class FundIncome(FundLedger ledger, FundRoles roles, FundAttachments attachments)
{
    /// <summary>
    /// A payment was collected: income of its amount, the payer shown as building and unit only; then the
    /// trustee's remuneration on it (floor of amount × bp / 10000) when the committee has set one.
    /// </summary>
    public async Task RecordPaymentAsync(NeighbourHubDbContext db, PaymentCollected paid, CancellationToken ct)
    {
        var lines = await (from pb in db.PaymentBills
                           where pb.PaymentId == paid.PaymentId
                           join b in db.Bills on pb.BillId equals b.Id
                           join h in db.Households on b.HouseholdId equals h.Id
                           join bu in db.Buildings on h.BuildingId equals bu.Id
                           join u in db.Units on h.UnitId equals u.Id
                           orderby b.Id
                           select new { Flat = bu.Name + u.Name, b.FeeItemName, b.Period }).ToListAsync(ct);
        var flats = string.Join("、", lines.Select(l => l.Flat).Distinct());
        var items = string.Join("、", lines.Select(l => $"{l.FeeItemName} {l.Period}").Distinct().Take(6));
        var channel = paid.Channel switch
        {
            nameof(PaymentChannel.WeChat) => "微信支付",
            nameof(PaymentChannel.Cash) => "现金",
            _ => "银行转账",
        };
        var fund = await ledger.OpenAsync(db, paid.EstateId, ct);
        var source = $"payment:{paid.PaymentId}";
        List<EntryDraft> drafts =
        [
            new(FundEntryKind.Income, paid.AmountFen, FundCategories.PropertyFee, $"{items}（{channel}）", flats, source),
        ];
        var share = FundLedger.RemunerationOf(paid.AmountFen, fund.RemunerationBp);
        if (share > 0)
        {
            drafts.Add(new(FundEntryKind.Remuneration, -share, FundCategories.Remuneration,
                $"物业酬金 {fund.RemunerationBp / 100m:0.##}%，按缴费 {Billing.Money.Yuan(paid.AmountFen)} 元计", "受托物业", $"remuneration:{source}"));
        }

        await ledger.AppendAsync(db, paid.EstateId, drafts, mayOverdraw: true, ct);
    }

    /// <summary>
    /// A refund succeeded: the income is reversed by the refunded amount, and the remuneration taken on that
    /// payment by the same proportion (rounded down).
    /// </summary>
    public async Task RecordRefundAsync(NeighbourHubDbContext db, RefundSucceeded refund, CancellationToken ct)
    {
        var source = $"payment:{refund.PaymentId}";
        var income = await db.FundEntries.AsNoTracking().SingleOrDefaultAsync(e => e.SourceKey == source, ct);
        if (income is null)
        {
            // The income itself has not been recorded yet (its message is still queued): try again later.
            throw new InvalidOperationException($"Payment {refund.PaymentId} is not in the fund yet; the refund waits for it.");
        }

        var remuneration = await db.FundEntries.AsNoTracking().SingleOrDefaultAsync(e => e.SourceKey == $"remuneration:{source}", ct);
        var reversal = new EntryDraft(FundEntryKind.Reversal, -refund.AmountFen, FundCategories.Refund, $"退费：冲回第 {income.Seq} 条收入的 {Billing.Money.Yuan(refund.AmountFen)} 元",
            income.Counterparty, $"refund:{refund.RefundId}");
        if (remuneration is null)
        {
            await ledger.AppendAsync(db, refund.EstateId, [reversal], mayOverdraw: true, ct);
            return;
        }

        // Under the log's lock: earlier refunds of this payment already in the ledger decide this one's share.
        await ledger.AppendAsync(db, refund.EstateId, async () =>
        {
            var earlierRefunds = await db.Refunds.AsNoTracking().Where(r => r.PaymentId == refund.PaymentId && r.Id != refund.RefundId).Select(r => "refund:" + r.Id).ToListAsync(ct);
            var before = -(await db.FundEntries.Where(e => earlierRefunds.Contains(e.SourceKey)).SumAsync(e => (long?)e.AmountFen, ct) ?? 0);
            var back = FundLedger.RemunerationRefundOf(income.AmountFen, -remuneration.AmountFen, before, refund.AmountFen);
            return back == 0 ? [reversal] : [reversal, new(FundEntryKind.Reversal, back, FundCategories.RemunerationRefund, $"退费相应冲回第 {remuneration.Seq} 条物业酬金", "受托物业",
                $"remuneration:refund:{refund.RefundId}")];
        }, mayOverdraw: true, ct);
    }

    /// <summary>Common-area income (公共收益) recorded by the trustee, with its vouchers.</summary>
    public async Task<FundEntry> RecordCommonIncomeAsync(NeighbourHubDbContext db, long estateId, CommonIncomeBody? body, string idempotencyKey, CancellationToken ct)
    {
        var v = new Validation()
            .When(body?.AmountFen is null or <= 0 or > FundExpenses.MaxAmountFen, "amountFen", "请填写收入金额（单位：分，大于 0）。")
            .When(!FundCategories.CommonIncome.Contains(body?.Category), "category", "类别只能是 parking（停车）、advertising（广告）、venue（场地租用）或 other_income（其他）。")
            .Required("memo", body?.Memo, 200, "说明")
            .Required("counterparty", body?.Counterparty, 100, "付款方");
        FundAttachments.CheckIds(v, body?.AttachmentIds);
        IdempotencyKeys.Check(v, idempotencyKey);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var role = await roles.TrusteeAsync(db, estateId, ct);
        var source = $"income:{role.AdminUserId}:{idempotencyKey}";
        if (await db.FundEntries.AsNoTracking().SingleOrDefaultAsync(e => e.SourceKey == source, ct) is { } replay)
        {
            return replay;
        }

        await using var tx = await TransparencyLogs.BeginAppendingAsync(db, ct);
        var files = await attachments.AttachAsync(db, estateId, body!.AttachmentIds, expenseId: null, proof: false, ct);
        var entries = await ledger.AppendAsync(db, estateId,
            [new(FundEntryKind.Income, body.AmountFen!.Value, body.Category!, body.Memo!.Trim(), body.Counterparty!.Trim(), source, AttachmentSha256s: files.Select(f => f.Sha256).ToList(), RecordedBy: role.Name)],
            mayOverdraw: true, ct);
        await attachments.PinToEntryAsync(db, files, entries[0].Seq, ct);
        db.Audit("fund.income", nameof(FundEntry), entries[0].Seq.ToString(CultureInfo.InvariantCulture), new { estateId, body.AmountFen, body.Category });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return entries[0];
    }

    /// <summary>A correction: a new entry of the opposite amount, naming the entry it cancels and why. The original stays.</summary>
    public async Task<FundEntry> ReverseAsync(NeighbourHubDbContext db, long estateId, long seq, string? reason, CancellationToken ct)
    {
        var v = new Validation().Required("reason", reason, 200, "更正原因");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var role = await roles.TrusteeAsync(db, estateId, ct);
        var original = await db.FundEntries.AsNoTracking().SingleOrDefaultAsync(e => e.EstateId == estateId && e.Seq == seq, ct) ?? throw new NotFoundException("基金流水");
        if (original.Kind is not (FundEntryKind.Income) || original.SourceKey.StartsWith("payment:", StringComparison.Ordinal))
        {
            throw new ConflictException("只能更正手工记录的公共收益；缴费请走退款，支出请另行处理。");
        }

        var entries = await ledger.AppendAsync(db, estateId,
            [new(FundEntryKind.Reversal, -original.AmountFen, FundCategories.Correction, $"更正第 {seq} 条：{reason!.Trim()}", original.Counterparty, $"correction:{estateId}:{seq}", RecordedBy: role.Name)],
            mayOverdraw: false, ct);
        return entries[0];
    }
}

/// <summary>Delivers <see cref="PaymentService.CollectedTopic"/> to the fund.</summary>
public sealed class PaymentCollectedHandler(IDbContextFactory<NeighbourHubDbContext> contexts, FundIncome income) : IOutboxHandler
{
    public string Topic => PaymentService.CollectedTopic;

    public async Task<string> HandleAsync(OutboxMessage message, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        await income.RecordPaymentAsync(db, Outbox.Read<PaymentCollected>(message), ct);
        return "recorded";
    }
}

/// <summary>Delivers <see cref="PaymentService.RefundedTopic"/> to the fund.</summary>
public sealed class RefundSucceededHandler(IDbContextFactory<NeighbourHubDbContext> contexts, FundIncome income) : IOutboxHandler
{
    public string Topic => PaymentService.RefundedTopic;

    public async Task<string> HandleAsync(OutboxMessage message, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        await income.RecordRefundAsync(db, Outbox.Read<RefundSucceeded>(message), ct);
        return "reversed";
    }
}
