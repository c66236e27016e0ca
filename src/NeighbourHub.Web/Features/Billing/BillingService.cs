using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Billing;

public sealed record FeeItemBody(long? EstateId, string? Name, string? Kind, long? UnitPriceFen, DateOnly? EffectiveFrom, DateOnly? EffectiveTo, int? DueDay)
{
    public const long MaxUnitPriceFen = 10_000_000;

    public Validation Validate() => new Validation()
        .Positive("estateId", EstateId)
        .When(string.IsNullOrWhiteSpace(Name) || Name.Length > 50, "name", "请填写收费项目名称（最多 50 字）。")
        .When(ParsedKind is null, "kind", "收费方式只能是 perAreaMonthly（按面积）、fixedMonthly（固定月费）或 oneOff（一次性）。")
        .When(UnitPriceFen is null or <= 0 or > MaxUnitPriceFen, "unitPriceFen", "单价应在 1 到 10,000,000 分（0.01 元到 10 万元）之间。")
        .When(EffectiveFrom is null, "effectiveFrom", "请填写生效日期。")
        .When(EffectiveTo < EffectiveFrom, "effectiveTo", "截止日期不能早于生效日期。")
        .When(DueDay is < 1 or > 31, "dueDay", "缴费日应在每月 1 到 31 日之间。");

    /// <summary>The kind as spelt on the wire (camelCase), null for anything else.</summary>
    public FeeKind? ParsedKind => Kind switch
    {
        "perAreaMonthly" => FeeKind.PerAreaMonthly,
        "fixedMonthly" => FeeKind.FixedMonthly,
        "oneOff" => FeeKind.OneOff,
        _ => null,
    };

    public static string Wire(FeeKind kind) => kind switch
    {
        FeeKind.PerAreaMonthly => "perAreaMonthly",
        FeeKind.FixedMonthly => "fixedMonthly",
        _ => "oneOff",
    };
}

public sealed record ExemptionBody(long? HouseholdId, string? Reason);

public sealed record EndBody(DateOnly? EffectiveTo);

public sealed record RunBody(long? EstateId, string? Period);

public sealed record RemindBody(long? EstateId);

/// <summary>作废: why the bill is no longer owed.</summary>
public sealed record VoidBody(string? Reason);

/// <summary>调整: the new amount in fen (API.md: money is integer fen) and why.</summary>
public sealed record AdjustBody(long? AmountFen, string? Reason);

/// <summary>
/// What staff change about fees: fee items, exemptions, 催缴 reminders. The one door for these writes — the
/// admin API and the console both call it, so both refuse the same things (the console used to add fee items
/// and exemptions without the name, price, due-day and household checks). Refusals are the domain exceptions
/// both turn into words: 400 per field, 404 when out of scope, 409 on a conflict.
/// </summary>
public sealed class BillingService(TimeProvider clock)
{
    public async Task<FeeItem> CreateFeeItemAsync(NeighbourHubDbContext db, FeeItemBody body, CancellationToken ct)
    {
        var v = body.Validate();
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        // The estate filter hides estates outside the caller's scope: theirs to bill is "not found" to anyone else.
        if (!await db.Estates.AnyAsync(e => e.Id == body.EstateId, ct))
        {
            throw new NotFoundException("小区");
        }

        var name = body.Name!.Trim();
        if (await db.FeeItems.AnyAsync(f => f.EstateId == body.EstateId && f.Name == name, ct))
        {
            throw new ConflictException("本小区已有同名的收费项目。");
        }

        var item = new FeeItem
        {
            EstateId = body.EstateId!.Value,
            Name = name,
            Kind = body.ParsedKind!.Value,
            UnitPriceFen = body.UnitPriceFen!.Value,
            EffectiveFrom = body.EffectiveFrom!.Value,
            EffectiveTo = body.EffectiveTo,
            DueDay = body.DueDay ?? 15,
        };
        db.FeeItems.Add(item);
        await db.SaveChangesAsync(ct);
        return item;
    }

    /// <summary>Exempts a household of the item's estate; exempting it again changes nothing.</summary>
    public async Task AddExemptionAsync(NeighbourHubDbContext db, long feeItemId, ExemptionBody body, CancellationToken ct)
    {
        var v = new Validation().Positive("householdId", body.HouseholdId).MaxLength("reason", body.Reason, 200);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var item = await db.FeeItems.SingleOrDefaultAsync(f => f.Id == feeItemId, ct) ?? throw new NotFoundException("收费项目");
        if (!await db.Households.AnyAsync(h => h.Id == body.HouseholdId && h.EstateId == item.EstateId, ct))
        {
            throw new NotFoundException("房屋");
        }

        if (!await db.FeeExemptions.AnyAsync(x => x.FeeItemId == feeItemId && x.HouseholdId == body.HouseholdId, ct))
        {
            db.FeeExemptions.Add(new FeeExemption { FeeItemId = feeItemId, HouseholdId = body.HouseholdId!.Value, Reason = body.Reason?.Trim() ?? "" });
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Stops a fee item after a date (bills already issued stay as they are).</summary>
    public async Task<FeeItem> EndFeeItemAsync(NeighbourHubDbContext db, long feeItemId, EndBody body, CancellationToken ct)
    {
        var item = await db.FeeItems.SingleOrDefaultAsync(f => f.Id == feeItemId, ct) ?? throw new NotFoundException("收费项目");
        var v = new Validation().Required("effectiveTo", body.EffectiveTo).When(body.EffectiveTo < item.EffectiveFrom, "effectiveTo", "截止日期不能早于生效日期。");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        item.EffectiveTo = body.EffectiveTo;
        await db.SaveChangesAsync(ct);
        return item;
    }

    /// <summary>
    /// 作废 one bill with a reason: only an unpaid bill nobody is paying (a paid one is refunded instead). It leaves the
    /// arrears and can never be paid (every payment path requires Unpaid). Audited with who, when, why, before and after.
    /// </summary>
    public async Task<Bill> VoidAsync(NeighbourHubDbContext db, long billId, VoidBody body, CancellationToken ct)
    {
        var reason = Reason(body.Reason);
        var bill = await db.Bills.AsNoTracking().SingleOrDefaultAsync(b => b.Id == billId, ct) ?? throw new NotFoundException("账单");
        RefuseUnlessOpen(bill, "作废");
        var now = clock.StorableNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await BillLedger.VoidAsync(db, billId, reason, now, ct))
        {
            throw new ConflictException("这张账单刚刚被支付或锁定，不能作废，请刷新查看。");
        }

        AuditBill(db, "bill.void", bill, new { status = BillStatus.Voided, bill.AmountFen, reason }, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await db.Bills.AsNoTracking().SingleAsync(b => b.Id == billId, ct);
    }

    /// <summary>调整 the amount of one unpaid bill with a reason (e.g. an area corrected); audited like <see cref="VoidAsync"/>.</summary>
    public async Task<Bill> AdjustAsync(NeighbourHubDbContext db, long billId, AdjustBody body, CancellationToken ct)
    {
        var v = new Validation()
            .When(body.AmountFen is null or <= 0 or > FeeItemBody.MaxUnitPriceFen * 100, "amountFen", "调整后的金额应大于 0 元且不超过 1000 万元（单位：分）。")
            .When(string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Trim().Length > 200, "reason", "请填写调整原因（最多 200 字）。");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var reason = body.Reason!.Trim();
        var bill = await db.Bills.AsNoTracking().SingleOrDefaultAsync(b => b.Id == billId, ct) ?? throw new NotFoundException("账单");
        RefuseUnlessOpen(bill, "调整");
        if (bill.AmountFen == body.AmountFen)
        {
            throw new DomainValidationException("amountFen", $"调整后的金额与原金额（{Money.Yuan(bill.AmountFen)} 元）相同。");
        }

        var now = clock.StorableNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await BillLedger.AdjustAsync(db, billId, bill.AmountFen, body.AmountFen!.Value, reason, ct))
        {
            throw new ConflictException("这张账单刚刚被支付、锁定或修改，请刷新后再调整。");
        }

        AuditBill(db, "bill.adjust", bill, new { status = BillStatus.Unpaid, amountFen = body.AmountFen, reason }, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await db.Bills.AsNoTracking().SingleAsync(b => b.Id == billId, ct);
    }

    private static string Reason(string? reason)
    {
        var v = new Validation().When(string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 200, "reason", "请填写作废原因（最多 200 字）。");
        return v.IsValid ? reason!.Trim() : throw new RequestValidationException(v);
    }

    private static void RefuseUnlessOpen(Bill bill, string step)
    {
        if (bill.Status is BillStatus.Paid or BillStatus.Refunded)
        {
            throw new ConflictException($"这张账单{StatusTexts.Of(bill.Status)}，不能{step}；如需退还，请在“收款与退款”中退款。");
        }

        if (bill.Status == BillStatus.Voided)
        {
            throw new ConflictException($"这张账单已作废，不能{step}。");
        }

        if (bill.LockedByPaymentId is not null)
        {
            throw new ConflictException($"居民正在微信中支付这张账单，请等支付完成或订单过期后再{step}。");
        }
    }

    /// <summary>The ledger's conditional updates bypass change tracking, so the before and after are written here, in the same transaction.</summary>
    private static void AuditBill(NeighbourHubDbContext db, string action, Bill before, object after, DateTimeOffset at) =>
        db.AuditLogs.Add(new Audit.AuditLog
        {
            At = at,
            ActorId = db.Scope.Value.AdminUserId,
            ActorName = db.Scope.Value.ActorName,
            Action = action,
            EntityType = nameof(Bill),
            EntityId = before.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Before = JsonSerializer.Serialize(new { status = before.Status, before.AmountFen, before.FeeItemName, before.Period, before.HouseholdId }, AuditJson),
            After = JsonSerializer.Serialize(after, AuditJson),
            TraceId = System.Diagnostics.Activity.Current?.TraceId.ToString(),
        });

    private static readonly JsonSerializerOptions AuditJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>
    /// 催缴: a subscribe message to every verified resident of a household with overdue bills, through the outbox.
    /// At most one per resident per day (the outbox key), however often staff press the button.
    /// </summary>
    public async Task<int> RemindAsync(NeighbourHubDbContext db, RemindBody body, CancellationToken ct)
    {
        var v = new Validation().Positive("estateId", body.EstateId);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var estateId = body.EstateId!.Value;
        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            throw new NotFoundException("小区");
        }

        var today = clock.Today();
        var owed = await (from b in db.Bills
                          where b.EstateId == estateId && b.Status == BillStatus.Unpaid && b.DueDate < today
                          group b by b.HouseholdId into g
                          select new { HouseholdId = g.Key, Fen = g.Sum(b => b.AmountFen), Bills = g.Count() }).ToListAsync(ct);
        var households = owed.Select(o => o.HouseholdId).ToList();
        var residents = await db.Residences.Unscoped(Because.DetailsOfARowInScope)
            .Where(r => households.Contains(r.HouseholdId) && r.Status == Residents.ResidenceStatus.Approved)
            .Select(r => new { r.ResidentId, r.HouseholdId }).ToListAsync(ct);
        foreach (var r in residents)
        {
            var debt = owed.First(o => o.HouseholdId == r.HouseholdId);
            // Enqueue skips a key already stored: that is the once-a-day limit.
            await Outbox.EnqueueAsync(db, OutboxTopics.SubscribeMessage, $"bill.overdue:{r.ResidentId}:{today:yyyyMMdd}",
                new SubscribeMessagePayload(r.ResidentId, "bill.overdue", "pages/bills/index",
                    new Dictionary<string, string> { ["amount1"] = Money.Yuan(debt.Fen) + "元", ["thing2"] = $"{debt.Bills} 笔物业费已逾期" }), clock, ct);
        }

        var count = db.ChangeTracker.Entries<OutboxMessage>().Count(e => e.State == EntityState.Added);
        await db.SaveChangesAsync(ct);
        return count;
    }
}
