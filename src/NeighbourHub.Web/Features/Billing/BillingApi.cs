using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Billing;

/// <summary>
/// Residents' bills; fee items, bill runs, arrears and collection rates for staff (物业公司, 社区). Handlers only
/// bind HTTP: reads are <see cref="BillingQueries"/>, writes <see cref="BillingService"/> and <see cref="BillingRunner"/>,
/// the same doors the console uses.
/// </summary>
public static class BillingApi
{
    public static IEndpointRouteBuilder MapBillingApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1").WithTags("Bills and payments").RequireAuthorization(Policies.Resident);
        residents.MapGet("/bills", MyBills);

        var staff = app.MapGroup("/api/v1/admin").WithTags("Admin billing").RequireAuthorization(Policies.ManageBilling);
        staff.MapGet("/fee-items", async (long? estateId, NeighbourHubDbContext db, CancellationToken ct) =>
            Results.Ok(await BillingQueries.FeeItems(db, estateId).ToListAsync(ct)));
        staff.MapPost("/fee-items", async (FeeItemBody? body, NeighbourHubDbContext db, BillingService billing, CancellationToken ct) =>
        {
            var item = await billing.CreateFeeItemAsync(db, body ?? new FeeItemBody(null, null, null, null, null, null, null), ct);
            return Results.Created($"/api/v1/admin/fee-items/{item.Id}", item);
        });
        staff.MapPost("/fee-items/{id:long}/exemptions", async (long id, ExemptionBody? body, NeighbourHubDbContext db, BillingService billing, CancellationToken ct) =>
        {
            await billing.AddExemptionAsync(db, id, body ?? new ExemptionBody(null, null), ct);
            return Results.NoContent();
        });
        staff.MapPost("/fee-items/{id:long}/end", async (long id, EndBody? body, NeighbourHubDbContext db, BillingService billing, CancellationToken ct) =>
            Results.Ok(await billing.EndFeeItemAsync(db, id, body ?? new EndBody(null), ct)));
        staff.MapPost("/billing/runs", async (RunBody? body, NeighbourHubDbContext db, BillingRunner runner, CancellationToken ct) =>
        {
            var run = await runner.StartAsync(db, body ?? new RunBody(null, null), ct);
            return Results.Ok(await runner.RunAsync(run.Id, ct));
        });
        staff.MapGet("/billing/runs/{id:long}", async (long id, NeighbourHubDbContext db, CancellationToken ct) =>
            await BillingQueries.RunAsync(db, id, ct) is { } run ? Results.Ok(run) : Results.NotFound());
        staff.MapGet("/bills", ListBills);
        staff.MapPost("/bills/{id:long}/void", async (long id, VoidBody? body, NeighbourHubDbContext db, BillingService billing, CancellationToken ct) =>
            Results.Ok(BillingQueries.View(await billing.VoidAsync(db, id, body ?? new VoidBody(null), ct))))
            .WithSummary("作废一张未缴账单（需填写原因，记入操作日志）；已缴账单请退款");
        staff.MapPost("/bills/{id:long}/adjust", async (long id, AdjustBody? body, NeighbourHubDbContext db, BillingService billing, CancellationToken ct) =>
            Results.Ok(BillingQueries.View(await billing.AdjustAsync(db, id, body ?? new AdjustBody(null, null), ct))))
            .WithSummary("调整一张未缴账单的金额（分，需填写原因，记入操作日志）");
        staff.MapGet("/billing/arrears", async (long? estateId, long? buildingId, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) =>
            Results.Ok(await BillingQueries.ArrearsAsync(db, estateId, buildingId, clock, ct)));
        staff.MapPost("/billing/reminders", async (RemindBody? body, NeighbourHubDbContext db, BillingService billing, CancellationToken ct) =>
            Results.Ok(new { reminded = await billing.RemindAsync(db, body ?? new RemindBody(null), ct) }));
        staff.MapGet("/billing/collection", async (long? estateId, string? period, string? by, NeighbourHubDbContext db, CancellationToken ct) =>
            Results.Ok(await BillingQueries.CollectionAsync(db, estateId, period, by == "building", ct)));
        app.MapGet("/admin/files/billing/arrears.xlsx", async (long? estateId, long? buildingId, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var rows = await BillingQueries.ArrearsAsync(db, estateId, buildingId, clock, ct);
            return Spreadsheet.File("欠费清单.xlsx", rows,
                new("楼栋", r => r.Building),
                new("单元", r => r.Unit),
                new("房号", r => r.Room),
                new("收费项目", r => r.FeeItem),
                new("账期", r => r.Period),
                new("金额（元）", r => r.AmountFen / 100m),
                new("应缴日期", r => r.DueDate.ToString("yyyy-MM-dd")),
                new("逾期天数", r => r.DaysOverdue));
        }).RequireAuthorization(Policies.ManageBilling).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> MyBills(string? status, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var st = EnumQuery.Parse<BillStatus>("status", status, v); // unpaid, paid, refunded
        return v.IsValid ? Results.Ok(await BillingQueries.ResidentBillsAsync(db, st, ct)) : v.Problem();
    }

    private static async Task<IResult> ListBills(long? estateId, string? period, string? status, long? householdId, int? page, int? pageSize,
        NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var st = EnumQuery.Parse<BillStatus>("status", status, v);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        return v.IsValid ? Results.Ok(await BillingQueries.BillsAsync(db, estateId, period, st, householdId, p, s, ct)) : v.Problem();
    }
}
