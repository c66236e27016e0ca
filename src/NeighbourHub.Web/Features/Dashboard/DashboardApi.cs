using Microsoft.AspNetCore.Http.HttpResults;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Dashboard;

public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/admin").WithTags("Admin dashboard").RequireAuthorization(Policies.Admin)
            .MapGet("/dashboard", Get);
        return app;
    }

    /// <summary>
    /// The console home page's figures for the caller's scope, narrowed to one estate, grid or firm (outside the scope: 404)
    /// over [from, to) (default: this week and the eleven before). Fees and the time bank are left out for roles whose
    /// console may not open those pages.
    /// </summary>
    private static async Task<Results<Ok<DashboardView>, ValidationProblem>> Get(
        long? estateId, long? gridId, long? firmId, DateTimeOffset? from, DateTimeOffset? to,
        HttpContext http, NeighbourHubDbContext db, DashboardQueries queries, ConsoleLinks links, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        v.When(from is { } f && f.Year is < 2000 or > 2100, "from", "日期超出范围。").When(to is { } t && t.Year is < 2000 or > 2100, "to", "日期超出范围。");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var (defaultFrom, now) = DashboardQueries.DefaultPeriod(clock.GetUtcNow());
        var end = to ?? now;
        var start = from ?? (to is null ? defaultFrom : end.AddDays(-84));
        v.When(end <= start || end - start > DashboardQueries.MaxPeriod, "to", "统计区间的开始时间须早于结束时间，且最长 366 天。");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var mayOpen = await links.ForAsync(http.User);
        return TypedResults.Ok(await queries.ComputeAsync(db, new DashboardFilter(estateId, gridId, firmId, start, end), ConsoleLinks.Sections(mayOpen), mayOpen, ct));
    }
}
