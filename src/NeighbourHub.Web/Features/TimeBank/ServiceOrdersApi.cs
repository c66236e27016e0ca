using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.TimeBank;

public sealed record VolunteerRequest(IReadOnlyList<string>? Skills, string? Intro);

public sealed record VolunteerAnswer(long ResidentId, VolunteerStatus Status, IReadOnlyList<string> Skills, string Intro);

public sealed record ServiceOrderRequest(string? Title, string? Description, int? Points, DateTimeOffset? WantedAt);

public sealed record ServiceOrderView(long Id, string Title, string Description, int Points, bool FundedByPool, ServiceOrderStatus Status,
    long RequesterId, long? VolunteerId, DateTimeOffset? WantedAt, DateTimeOffset CreatedAt, DateTimeOffset? ClaimedAt, DateTimeOffset? CompletedAt,
    int? Stars, string? Comment);

public sealed record ConfirmRequest(int? Stars, string? Comment);

public sealed record DispatchRequest(long? VolunteerId);

public sealed record ResolveRequest(bool? PayVolunteer, string? Note);

public sealed record FundingRequest(bool? PaidByPool);

public sealed record VolunteerRow(long ResidentId, string Nickname, VolunteerStatus Status, string Skills, string Intro, int PointsEarned, int OrdersDone, double? AverageStars);

public sealed record LeaderboardRow(long ResidentId, string Nickname, int Points);

public static class ServiceOrdersApi
{
    public static IEndpointRouteBuilder MapServiceOrdersApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1").WithTags("Service orders").RequireAuthorization(Policies.Resident);
        residents.MapPost("/me/volunteer", Apply);
        residents.MapPost("/service-orders", Post);
        residents.MapGet("/service-orders", List);
        residents.MapPost("/service-orders/{id:long}/claim", async (long id, NeighbourHubDbContext db, CurrentScope s, ServiceOrderService so, CancellationToken ct) =>
            TypedResults.Ok(View(await so.ClaimAsync(db, id, s.Value.ResidentId!.Value, dispatched: false, ct))));
        residents.MapPost("/service-orders/{id:long}/complete", async (long id, NeighbourHubDbContext db, CurrentScope s, ServiceOrderService so, CancellationToken ct) =>
            TypedResults.Ok(View(await so.CompleteAsync(db, id, s.Value.ResidentId!.Value, ct))));
        residents.MapPost("/service-orders/{id:long}/confirm", Confirm);
        residents.MapPost("/service-orders/{id:long}/cancel", async (long id, NeighbourHubDbContext db, CurrentScope s, ServiceOrderService so, CancellationToken ct) =>
            TypedResults.Ok(View(await so.CancelAsync(db, id, s.Value.ResidentId!.Value, ct))));
        residents.MapPost("/service-orders/{id:long}/dispute", Dispute);

        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin service orders").RequireAuthorization(Policies.ManageTimeBank);
        admin.MapGet("/volunteers", Volunteers);
        admin.MapPost("/volunteers/{residentId:long}/approve", async (long residentId, NeighbourHubDbContext db, ServiceOrderService so, CancellationToken ct) =>
            TypedResults.Ok(VolunteerView(await so.DecideVolunteerAsync(db, residentId, approve: true, ct))));
        admin.MapPost("/volunteers/{residentId:long}/reject", async (long residentId, NeighbourHubDbContext db, ServiceOrderService so, CancellationToken ct) =>
            TypedResults.Ok(VolunteerView(await so.DecideVolunteerAsync(db, residentId, approve: false, ct))));
        admin.MapGet("/service-orders", Board);
        admin.MapPost("/service-orders/{id:long}/dispatch", Dispatch);
        admin.MapPost("/service-orders/{id:long}/resolve", Resolve);
        admin.MapPost("/residents/{residentId:long}/service-order-funding", Funding);
        admin.MapGet("/timebank/leaderboard", Leaderboard);
        return app;
    }

    internal static ServiceOrderView View(ServiceOrder o) =>
        new(o.Id, o.Title, o.Description, o.Points, o.FundedByPool, o.Status, o.RequesterId, o.VolunteerId, o.WantedAt, o.CreatedAt, o.ClaimedAt, o.CompletedAt, o.Stars, o.Comment);

    private static VolunteerAnswer VolunteerView(VolunteerProfile p) =>
        new(p.ResidentId, p.Status, p.Skills.Split(',', StringSplitOptions.RemoveEmptyEntries), p.Intro);

    private static async Task<Results<Created<VolunteerAnswer>, ValidationProblem>> Apply(
        VolunteerRequest? body, NeighbourHubDbContext db, CurrentScope scope, ServiceOrderService so, CancellationToken ct)
    {
        var v = new Validation()
            .When(body?.Skills is null || body.Skills.Count is 0 or > 10 || body.Skills.Any(s => string.IsNullOrWhiteSpace(s) || s.Length > 20),
                "skills", "请填写 1 到 10 项技能，每项最多 20 个字。")
            .MaxLength("intro", body?.Intro, 500);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var profile = await so.ApplyAsync(db, scope.Value.ResidentId!.Value, body!.Skills!, body.Intro ?? "", ct);
        return TypedResults.Created("/api/v1/me", VolunteerView(profile));
    }

    private static async Task<Results<Created<ServiceOrderView>, ValidationProblem>> Post(
        ServiceOrderRequest? body, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, NeighbourHubDbContext db, CurrentScope scope,
        ServiceOrderService so, CancellationToken ct)
    {
        var v = new Validation()
            .Required("title", body?.Title, 100)
            .MaxLength("description", body?.Description, 1000)
            .When(body?.Points is null or < 1 or > ServiceOrderService.MaxOrderPoints, "points", $"订单积分应在 1 到 {ServiceOrderService.MaxOrderPoints} 之间。")
            .MaxLength(Idempotency.Header, idempotencyKey, Idempotency.MaxKeyLength);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var order = await so.PostAsync(db, scope.Value.ResidentId!.Value, body!.Title!.Trim(), body.Description?.Trim() ?? "", body.Points!.Value,
            body.WantedAt, idempotencyKey, ct);
        return TypedResults.Created($"/api/v1/service-orders/{order.Id}", View(order));
    }

    /// <summary><c>open=true</c>: open orders of the resident's communities (for volunteers); otherwise the resident's own and taken orders.</summary>
    private static async Task<Ok<List<ServiceOrderView>>> List(bool? open, NeighbourHubDbContext db, CurrentScope scope, CancellationToken ct)
    {
        var me = scope.Value.ResidentId;
        var query = open == true
            ? db.ServiceOrders.Where(o => o.Status == ServiceOrderStatus.Open && o.RequesterId != me)
            : db.ServiceOrders.Where(o => o.RequesterId == me || o.VolunteerId == me);
        var orders = await query.AsNoTracking().OrderByDescending(o => o.Id).Take(100).ToListAsync(ct);
        return TypedResults.Ok(orders.Select(View).ToList());
    }

    private static async Task<Results<Ok<ServiceOrderView>, ValidationProblem>> Confirm(
        long id, ConfirmRequest? body, NeighbourHubDbContext db, CurrentScope scope, ServiceOrderService so, CancellationToken ct)
    {
        var v = new Validation().When(body?.Stars is null or < 1 or > 5, "stars", "评分应为 1 到 5 星。").MaxLength("comment", body?.Comment, 500);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(View(await so.ConfirmAsync(db, id, scope.Value.ResidentId!.Value, body!.Stars!.Value, body.Comment?.Trim(), ct)));
    }

    private static async Task<Results<Ok<ServiceOrderView>, ValidationProblem>> Dispute(
        long id, ReasonBody? body, NeighbourHubDbContext db, CurrentScope scope, ServiceOrderService so, CancellationToken ct)
    {
        var v = new Validation().Required("reason", body?.Reason, 500);
        return v.IsValid ? TypedResults.Ok(View(await so.DisputeAsync(db, id, scope.Value.ResidentId!.Value, body!.Reason!.Trim(), ct))) : v.Problem();
    }

    private static async Task<Results<Ok<List<VolunteerRow>>, ValidationProblem>> Volunteers(string? status, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var st = EnumQuery.Parse<VolunteerStatus>("status", status, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(await TimeBankQueries.VolunteersAsync(db, st, ct));
    }

    private static async Task<Results<Ok<Paged<ServiceOrderView>>, ValidationProblem>> Board(string? status, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var st = EnumQuery.Parse<ServiceOrderStatus>("status", status, v);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var result = await TimeBankQueries.ServiceOrders(db, st).ToPageAsync(p, s, ct);
        return TypedResults.Ok(new Paged<ServiceOrderView>(result.Items.Select(View).ToList(), result.Page, result.PageSize, result.Total));
    }

    private static async Task<Results<Ok<ServiceOrderView>, ValidationProblem>> Dispatch(
        long id, DispatchRequest? body, NeighbourHubDbContext db, ServiceOrderService so, CancellationToken ct)
    {
        var v = new Validation().Positive("volunteerId", body?.VolunteerId);
        return v.IsValid ? TypedResults.Ok(View(await so.ClaimAsync(db, id, body!.VolunteerId!.Value, dispatched: true, ct))) : v.Problem();
    }

    private static async Task<Results<Ok<ServiceOrderView>, ValidationProblem>> Resolve(
        long id, ResolveRequest? body, NeighbourHubDbContext db, ServiceOrderService so, CancellationToken ct)
    {
        return TypedResults.Ok(View(await so.ResolveAsync(db, id, body, ct)));
    }

    private static async Task<Results<Ok<FundingRequest>, ValidationProblem, NotFound>> Funding(
        long residentId, FundingRequest? body, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation().Required("paidByPool", body?.PaidByPool);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        // Staff may only mark residents who live in a community whose office they run.
        if (!await TimeBankService.LivesInMyOfficeAsync(db, residentId, ct))
        {
            return TypedResults.NotFound();
        }

        var resident = await db.Residents.SingleAsync(r => r.Id == residentId, ct);
        resident.ServiceOrdersPaidByPool = body!.PaidByPool!.Value;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new FundingRequest(resident.ServiceOrdersPaidByPool));
    }

    private static async Task<Results<Ok<List<LeaderboardRow>>, ValidationProblem, NotFound>> Leaderboard(
        long? communityId, string? month, NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().Positive("communityId", communityId);
        var first = ChinaTime.StartOfMonth(clock.GetUtcNow());
        if (!string.IsNullOrEmpty(month))
        {
            if (DateTime.TryParseExact(month, "yyyy-MM", null, System.Globalization.DateTimeStyles.None, out var m))
            {
                first = ChinaTime.StartOfMonth(m.Year, m.Month);
            }
            else
            {
                v.Add("month", "月份格式应为 yyyy-MM，例如 2026-11。");
            }
        }

        if (!v.IsValid)
        {
            return v.Problem();
        }

        if (!db.Scope.Value.RunsOfficeOf(communityId!.Value) || !await db.Communities.AnyAsync(c => c.Id == communityId, ct))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await TimeBankQueries.Leaderboard(db, communityId!.Value, first.ToUniversalTime(), first.AddMonths(1).ToUniversalTime()).Take(20).ToListAsync(ct));
    }
}
