using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Payments;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Billing;

public sealed record FeeItemBody(long? EstateId, string? Name, string? Kind, long? UnitPriceFen, DateOnly? EffectiveFrom, DateOnly? EffectiveTo, int? DueDay);

public sealed record ExemptionBody(long? HouseholdId, string? Reason);

public sealed record EndBody(DateOnly? EffectiveTo);

public sealed record RunBody(long? EstateId, string? Period);

public sealed record RemindBody(long? EstateId);

public sealed record ArrearsRow(long BillId, string Building, string Unit, string Room, string FeeItem, string Period, long AmountFen, DateOnly DueDate, int DaysOverdue);

public sealed record CollectionRow(string Key, string Name, int Bills, int PaidBills, long DueFen, long PaidFen, double? Rate);

/// <summary>Fee items, bill runs, arrears and collection rates for staff (物业公司, 社区).</summary>
public static class BillingApi
{
    public static IEndpointRouteBuilder MapBillingApi(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api/v1/admin").WithTags("Admin billing").RequireAuthorization(Policies.ManageBilling);
        staff.MapGet("/fee-items", async (long? estateId, NeighbourHubDbContext db, CancellationToken ct) =>
            Results.Ok(await db.FeeItems.AsNoTracking().Where(f => estateId == null || f.EstateId == estateId).OrderBy(f => f.EstateId).ThenBy(f => f.Id).ToListAsync(ct)));
        staff.MapPost("/fee-items", CreateFeeItem);
        staff.MapPost("/fee-items/{id:long}/exemptions", AddExemption);
        staff.MapPost("/fee-items/{id:long}/end", EndFeeItem);
        staff.MapPost("/billing/runs", Run);
        staff.MapGet("/billing/runs/{id:long}", async (long id, NeighbourHubDbContext db, CancellationToken ct) =>
            await db.BillingRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is { } run ? Results.Ok(run) : Results.NotFound());
        staff.MapGet("/bills", ListBills);
        staff.MapGet("/billing/arrears", async (long? estateId, long? buildingId, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) =>
            Results.Ok(await ArrearsAsync(db, estateId, buildingId, clock, ct)));
        staff.MapPost("/billing/reminders", async (RemindBody? body, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var v = new Validation().Positive("estateId", body?.EstateId);
            return v.IsValid ? Results.Ok(new { reminded = await RemindAsync(db, body!.EstateId!.Value, clock, ct) }) : v.Problem();
        });
        staff.MapGet("/billing/collection", async (long? estateId, string? period, string? by, NeighbourHubDbContext db, CancellationToken ct) =>
            Results.Ok(await CollectionAsync(db, estateId, period, by == "building", ct)));
        app.MapGet("/admin/files/billing/arrears.xlsx", async (long? estateId, long? buildingId, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var rows = await ArrearsAsync(db, estateId, buildingId, clock, ct);
            var stream = new MemoryStream();
            stream.SaveAs(rows.Select(r => new Dictionary<string, object?>
            {
                ["楼栋"] = r.Building,
                ["单元"] = r.Unit,
                ["房号"] = r.Room,
                ["收费项目"] = r.FeeItem,
                ["账期"] = r.Period,
                ["金额（元）"] = r.AmountFen / 100m,
                ["应缴日期"] = r.DueDate.ToString("yyyy-MM-dd"),
                ["逾期天数"] = r.DaysOverdue,
            }));
            stream.Position = 0;
            return Results.File(stream, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "arrears.xlsx");
        }).RequireAuthorization(Policies.ManageBilling).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> CreateFeeItem(FeeItemBody? body, NeighbourHubDbContext db, CancellationToken ct)
    {
        var kind = EnumQueryKind(body?.Kind);
        var v = new Validation().Positive("estateId", body?.EstateId).Required("name", body?.Name, 50)
            .When(kind is null, "kind", "kind must be perAreaMonthly, fixedMonthly or oneOff.")
            .When(body?.UnitPriceFen is null or <= 0 or > 10_000_000, "unitPriceFen", "unitPriceFen must be 1 to 10,000,000 fen.")
            .Required("effectiveFrom", body?.EffectiveFrom)
            .When(body?.EffectiveTo < body?.EffectiveFrom, "effectiveTo", "effectiveTo must not be before effectiveFrom.")
            .When(body?.DueDay is < 1 or > 31, "dueDay", "dueDay must be 1 to 31.");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        if (!await db.Estates.AnyAsync(e => e.Id == body!.EstateId, ct))
        {
            return Results.NotFound();
        }

        if (await db.FeeItems.AnyAsync(f => f.EstateId == body!.EstateId && f.Name == body.Name!.Trim(), ct))
        {
            throw new ConflictException("This estate already has a fee item with that name.");
        }

        var item = new FeeItem
        {
            EstateId = body!.EstateId!.Value,
            Name = body.Name!.Trim(),
            Kind = kind!.Value,
            UnitPriceFen = body.UnitPriceFen!.Value,
            EffectiveFrom = body.EffectiveFrom!.Value,
            EffectiveTo = body.EffectiveTo,
            DueDay = body.DueDay ?? 15,
        };
        db.FeeItems.Add(item);
        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/v1/admin/fee-items/{item.Id}", item);
    }

    private static FeeKind? EnumQueryKind(string? kind) => kind switch
    {
        "perAreaMonthly" => FeeKind.PerAreaMonthly,
        "fixedMonthly" => FeeKind.FixedMonthly,
        "oneOff" => FeeKind.OneOff,
        _ => null,
    };

    private static async Task<IResult> AddExemption(long id, ExemptionBody? body, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation().Positive("householdId", body?.HouseholdId).MaxLength("reason", body?.Reason, 200);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var item = await db.FeeItems.SingleOrDefaultAsync(f => f.Id == id, ct);
        if (item is null || !await db.Households.AnyAsync(h => h.Id == body!.HouseholdId && h.EstateId == item.EstateId, ct))
        {
            return Results.NotFound();
        }

        if (!await db.FeeExemptions.AnyAsync(x => x.FeeItemId == id && x.HouseholdId == body!.HouseholdId, ct))
        {
            db.FeeExemptions.Add(new FeeExemption { FeeItemId = id, HouseholdId = body!.HouseholdId!.Value, Reason = body.Reason?.Trim() ?? "" });
            await db.SaveChangesAsync(ct);
        }

        return Results.NoContent();
    }

    /// <summary>Stops a fee item after a date (bills already issued stay as they are).</summary>
    private static async Task<IResult> EndFeeItem(long id, EndBody? body, NeighbourHubDbContext db, CancellationToken ct)
    {
        var item = await db.FeeItems.SingleOrDefaultAsync(f => f.Id == id, ct);
        if (item is null)
        {
            return Results.NotFound();
        }

        var v = new Validation().Required("effectiveTo", body?.EffectiveTo).When(body?.EffectiveTo < item.EffectiveFrom, "effectiveTo", "effectiveTo must not be before effectiveFrom.");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        item.EffectiveTo = body!.EffectiveTo;
        await db.SaveChangesAsync(ct);
        return Results.Ok(item);
    }

    private static async Task<IResult> Run(RunBody? body, NeighbourHubDbContext db, BillingRunner runner, CancellationToken ct)
    {
        var v = new Validation().Positive("estateId", body?.EstateId).When(!BillingPeriod.TryParse(body?.Period, out var period), "period", "period must look like 2026-11.");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var run = await runner.StartAsync(db, body!.EstateId!.Value, period, ct);
        return Results.Ok(await runner.RunAsync(run.Id, ct));
    }

    private static async Task<IResult> ListBills(long? estateId, string? period, string? status, long? householdId, int? page, int? pageSize,
        NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var st = EnumQuery.Parse<BillStatus>("status", status, v);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var result = await db.Bills.AsNoTracking()
            .Where(b => (estateId == null || b.EstateId == estateId) && (period == null || b.Period == period) && (st == null || b.Status == st)
                        && (householdId == null || b.HouseholdId == householdId))
            .OrderByDescending(b => b.Period).ThenBy(b => b.HouseholdId).ThenBy(b => b.Id).ToPageAsync(p, s, ct);
        return Results.Ok(new Paged<BillView>(result.Items.Select(PaymentsApi.View).ToList(), result.Page, result.PageSize, result.Total));
    }

    /// <summary>Unpaid bills past their due date (欠费), oldest first, with where the household is.</summary>
    public static async Task<List<ArrearsRow>> ArrearsAsync(NeighbourHubDbContext db, long? estateId, long? buildingId, TimeProvider clock, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var rows = await (from b in db.Bills.AsNoTracking()
                          where b.Status == BillStatus.Unpaid && b.DueDate < today && (estateId == null || b.EstateId == estateId)
                          join h in db.Households on b.HouseholdId equals h.Id
                          where buildingId == null || h.BuildingId == buildingId
                          join bu in db.Buildings on h.BuildingId equals bu.Id
                          join u in db.Units on h.UnitId equals u.Id
                          orderby b.DueDate, bu.Name, u.Name, h.Room
                          select new { b.Id, Building = bu.Name, Unit = u.Name, h.Room, b.FeeItemName, b.Period, b.AmountFen, b.DueDate }).Take(20_000).ToListAsync(ct);
        return rows.Select(r => new ArrearsRow(r.Id, r.Building, r.Unit, r.Room, r.FeeItemName, r.Period, r.AmountFen, r.DueDate, today.DayNumber - r.DueDate.DayNumber)).ToList();
    }

    /// <summary>
    /// 催缴: a subscribe message to every verified resident of a household with overdue bills, through the outbox.
    /// At most one per resident per day (the outbox key), however often staff press the button.
    /// </summary>
    public static async Task<int> RemindAsync(NeighbourHubDbContext db, long estateId, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            throw new NotFoundException("Estate");
        }

        var now = clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var today = DateOnly.FromDateTime(now.DateTime);
        var owed = await (from b in db.Bills
                          where b.EstateId == estateId && b.Status == BillStatus.Unpaid && b.DueDate < today
                          group b by b.HouseholdId into g
                          select new { HouseholdId = g.Key, Fen = g.Sum(b => b.AmountFen), Bills = g.Count() }).ToListAsync(ct);
        var households = owed.Select(o => o.HouseholdId).ToList();
        var residents = await db.Residences.IgnoreQueryFilters()
            .Where(r => households.Contains(r.HouseholdId) && r.Status == Residents.ResidenceStatus.Approved)
            .Select(r => new { r.ResidentId, r.HouseholdId }).ToListAsync(ct);
        foreach (var r in residents)
        {
            var debt = owed.First(o => o.HouseholdId == r.HouseholdId);
            // Enqueue skips a key already stored: that is the once-a-day limit.
            await Notifications.Outbox.EnqueueAsync(db, Notifications.OutboxTopics.SubscribeMessage, $"bill.overdue:{r.ResidentId}:{today:yyyyMMdd}",
                new Notifications.SubscribeMessagePayload(r.ResidentId, "bill.overdue", "pages/bills/index",
                    new Dictionary<string, string> { ["amount1"] = PaymentsApi.Yuan(debt.Fen) + "元", ["thing2"] = $"{debt.Bills} 笔物业费已逾期" }), clock, ct);
        }

        var count = db.ChangeTracker.Entries<Notifications.OutboxMessage>().Count(e => e.State == EntityState.Added);
        await db.SaveChangesAsync(ct);
        return count;
    }

    /// <summary>收缴率: paid ÷ billed, in fen and in bills, per estate (or per building), for one period or all.</summary>
    public static async Task<List<CollectionRow>> CollectionAsync(NeighbourHubDbContext db, long? estateId, string? period, bool byBuilding, CancellationToken ct)
    {
        var bills = from b in db.Bills.AsNoTracking()
                    where (estateId == null || b.EstateId == estateId) && (period == null || b.Period == period)
                    join h in db.Households on b.HouseholdId equals h.Id
                    select new { b.EstateId, h.BuildingId, b.AmountFen, Paid = b.Status != BillStatus.Unpaid };
        var grouped = byBuilding
            ? await bills.GroupBy(x => x.BuildingId).Select(g => new
            {
                Key = g.Key,
                Bills = g.Count(),
                PaidBills = g.Count(x => x.Paid),
                DueFen = g.Sum(x => x.AmountFen),
                PaidFen = g.Sum(x => x.Paid ? x.AmountFen : 0)
            }).ToListAsync(ct)
            : await bills.GroupBy(x => x.EstateId).Select(g => new
            {
                Key = g.Key,
                Bills = g.Count(),
                PaidBills = g.Count(x => x.Paid),
                DueFen = g.Sum(x => x.AmountFen),
                PaidFen = g.Sum(x => x.Paid ? x.AmountFen : 0)
            }).ToListAsync(ct);
        var keys = grouped.Select(g => g.Key).ToList();
        var names = byBuilding
            ? await db.Buildings.Where(b => keys.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Name, ct)
            : await db.Estates.Where(e => keys.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        return grouped.OrderBy(g => g.Key).Select(g => new CollectionRow($"{(byBuilding ? "building" : "estate")}:{g.Key}", names.GetValueOrDefault(g.Key, $"#{g.Key}"),
            g.Bills, g.PaidBills, g.DueFen, g.PaidFen, g.DueFen == 0 ? null : Math.Round((double)g.PaidFen / g.DueFen, 4))).ToList();
    }
}
