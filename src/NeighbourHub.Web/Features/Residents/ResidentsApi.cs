using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Residents;

public sealed record EstateListItem(long Id, string Name, long CommunityId, string CommunityName, string Address);

public sealed record HouseholdListItem(long Id, string Building, string Unit, string Room, decimal AreaM2);

public sealed record ApplyRequest(long? HouseholdId, ResidenceRelation? Relation, string? RealName, string? InviteCode);

public sealed record ApplyAnswer(long Id, ResidenceStatus Status);

public sealed record DecisionAnswer(long Id, ResidenceStatus Status);

public sealed record InviteRequest(ResidenceRelation? Relation, int? ValidDays);

public static class ResidentsApi
{
    public static IEndpointRouteBuilder MapResidentsApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1").WithTags("Residence").RequireAuthorization(Policies.Resident);
        residents.MapGet("/estates", ListEstates);
        residents.MapGet("/estates/{estateId:long}/households", ListHouseholds);
        residents.MapPost("/me/residences", Apply);

        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin residence").RequireAuthorization(Policies.VerifyResidents);
        admin.MapGet("/residences", ListApplications);
        admin.MapPost("/residences/{id:long}/approve", Approve);
        admin.MapPost("/residences/{id:long}/reject", Reject);
        admin.MapPost("/households/{id:long}/invite-codes", CreateInvite);
        admin.MapGet("/households/{id:long}/invite-codes", ListInvites);
        admin.MapGet("/residences/{id:long}", Review);
        admin.MapPost("/residences/{id:long}/phone", RevealPhone);

        // The owner roster and its export: every staff role in scope reads them (the committee with names masked).
        var roster = app.MapGroup("/api/v1/admin/estates").WithTags("Admin residence").RequireAuthorization(Policies.Admin);
        roster.MapGet("/{estateId:long}/roster", Roster);
        roster.MapGet("/{estateId:long}/households.xlsx", ExportHouseholds);
        app.MapGet("/admin/files/estates/{estateId:long}/households.xlsx", ExportHouseholds).RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        return app;
    }

    // The estate and household directory is what a resident searches to find their flat, so it is
    // readable by every signed-in resident: names, rooms and areas only, never who lives there.

    private static async Task<Results<Ok<Paged<EstateListItem>>, ValidationProblem>> ListEstates(
        string? keyword, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation().MaxLength("keyword", keyword, 50);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var query = from e in db.Estates.Unscoped(Because.ResidentsFindTheirFlat)
                    join c in db.Communities.Unscoped(Because.ResidentsFindTheirFlat) on e.CommunityId equals c.Id
                    where string.IsNullOrEmpty(keyword) || e.Name.Contains(keyword) || e.Address.Contains(keyword)
                    orderby e.Name, e.Id
                    select new EstateListItem(e.Id, e.Name, c.Id, c.Name, e.Address);
        return TypedResults.Ok(await query.ToPageAsync(p, s, ct));
    }

    private static async Task<Results<Ok<Paged<HouseholdListItem>>, ValidationProblem, NotFound>> ListHouseholds(
        long estateId, string? building, string? unit, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation().MaxLength("building", building, 50).MaxLength("unit", unit, 50);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        if (!await db.Estates.Unscoped(Because.ResidentsFindTheirFlat).AnyAsync(e => e.Id == estateId, ct))
        {
            return TypedResults.NotFound();
        }

        var query = from h in db.Households.Unscoped(Because.ResidentsFindTheirFlat)
                    join b in db.Buildings.Unscoped(Because.ResidentsFindTheirFlat) on h.BuildingId equals b.Id
                    join u in db.Units.Unscoped(Because.ResidentsFindTheirFlat) on h.UnitId equals u.Id
                    where h.EstateId == estateId
                          && (string.IsNullOrEmpty(building) || b.Name == building)
                          && (string.IsNullOrEmpty(unit) || u.Name == unit)
                    orderby b.Name, u.Name, h.Room.Length, h.Room
                    select new HouseholdListItem(h.Id, b.Name, u.Name, h.Room, h.AreaM2);
        return TypedResults.Ok(await query.ToPageAsync(p, s, ct));
    }

    private static async Task<Results<Created<ApplyAnswer>, ValidationProblem>> Apply(
        ApplyRequest? body, NeighbourHubDbContext db, CurrentScope scope, ResidenceService residences, CancellationToken ct)
    {
        var v = new Validation()
            .Positive("householdId", body?.HouseholdId)
            .Required("relation", body?.Relation)
            .Required("realName", body?.RealName, 50)
            .MaxLength("inviteCode", body?.InviteCode, 16);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var r = await residences.ApplyAsync(db, scope.Value.ResidentId!.Value, body!.HouseholdId!.Value, body.Relation!.Value, body.RealName!, body.InviteCode, ct);
        return TypedResults.Created($"/api/v1/me/residences/{r.Id}", new ApplyAnswer(r.Id, r.Status));
    }

    private static async Task<Results<Ok<Paged<ResidenceRow>>, ValidationProblem>> ListApplications(
        string? status, long? estateId, int? page, int? pageSize, NeighbourHubDbContext db, ResidenceService residences, CancellationToken ct)
    {
        var v = new Validation();
        var statusFilter = EnumQuery.Parse<ResidenceStatus>("status", status, v);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var result = await residences.Query(db, statusFilter, estateId).ToPageAsync(p, s, ct);
        return TypedResults.Ok(result with { Items = result.Items.Select(ResidenceService.Mask).ToList() });
    }

    private static async Task<Ok<DecisionAnswer>> Approve(long id, NeighbourHubDbContext db, ResidenceService residences, CancellationToken ct)
    {
        var r = await residences.ApproveAsync(db, id, ct);
        return TypedResults.Ok(new DecisionAnswer(r.Id, r.Status));
    }

    private static async Task<Results<Ok<DecisionAnswer>, ValidationProblem>> Reject(
        long id, ReasonBody? body, NeighbourHubDbContext db, ResidenceService residences, CancellationToken ct)
    {
        var r = await residences.RejectAsync(db, id, body?.Reason, ct);
        return TypedResults.Ok(new DecisionAnswer(r.Id, r.Status));
    }

    private static async Task<Created<InviteCodeRow>> CreateInvite(
        long id, InviteRequest? body, NeighbourHubDbContext db, ResidenceService residences, CancellationToken ct)
    {
        var invite = await residences.CreateInviteAsync(db, id, body?.Relation, body?.ValidDays ?? 7, ct);
        return TypedResults.Created($"/api/v1/admin/households/{id}/invite-codes",
            new InviteCodeRow(invite.Id, invite.Code, invite.HouseholdId, invite.Relation, invite.ExpiresAt, invite.UsedAt));
    }

    private static async Task<Results<Ok<List<InviteCodeRow>>, NotFound>> ListInvites(long id, NeighbourHubDbContext db, CancellationToken ct)
    {
        if (!await db.Households.AnyAsync(h => h.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await ResidenceQueries.InviteCodesAsync(db, id, ct));
    }

    private static async Task<Results<Ok<ApplicationReview>, NotFound>> Review(long id, NeighbourHubDbContext db, CancellationToken ct) =>
        await ResidenceQueries.ReviewAsync(db, id, ct) is { } review ? TypedResults.Ok(review) : TypedResults.NotFound();

    private static async Task<Ok<RevealedPhone>> RevealPhone(long id, NeighbourHubDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await ResidenceService.RevealPhoneAsync(db, id, ct));

    private static async Task<Results<Ok<Paged<RosterFlat>>, ValidationProblem, NotFound>> Roster(
        long estateId, string? q, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation().MaxLength("q", q, 50);
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await ResidenceQueries.RosterAsync(db, estateId, q, p, s, ct));
    }

    /// <summary>Every flat of an estate with its residents (phones masked), as .xlsx with a Chinese name; the export is audited.</summary>
    private static async Task<Results<FileContentHttpResult, NotFound>> ExportHouseholds(long estateId, NeighbourHubDbContext db, CancellationToken ct)
    {
        var estate = await Organisation.OrganisationQueries.EstateAsync(db, estateId, ct);
        if (estate is null)
        {
            return TypedResults.NotFound();
        }

        var roster = await ResidenceQueries.RosterAsync(db, estateId, null, 1, Organisation.HouseholdImport.MaxRows, ct);
        db.Audit("households.exported", "Estate", estateId.ToString(System.Globalization.CultureInfo.InvariantCulture), new { Flats = roster.Items.Count });
        await db.SaveChangesAsync(ct);
        return Spreadsheet.File($"{estate.Name}-房屋与住户.xlsx", roster.Items,
            new Spreadsheet.Column<RosterFlat>("楼栋", f => f.Building),
            new Spreadsheet.Column<RosterFlat>("单元", f => f.Unit),
            new Spreadsheet.Column<RosterFlat>("房号", f => f.Room),
            new Spreadsheet.Column<RosterFlat>("建筑面积(m²)", f => f.AreaM2),
            new Spreadsheet.Column<RosterFlat>("开发商持有", f => f.HeldByDeveloper ? "是" : "否"),
            new Spreadsheet.Column<RosterFlat>("已认证住户数", f => f.Residents.Count(r => r.Status == ResidenceStatus.Approved)),
            new Spreadsheet.Column<RosterFlat>("住户（关系·状态·手机）", f => string.Join("；", f.Residents.Select(r =>
                $"{r.Name}（{StatusTexts.Of(r.Relation)}·{(r.Status == ResidenceStatus.Approved ? "已认证" : "待审核")}{(r.PhoneMasked is { } m ? "·" + m : "")}）"))));
    }
}
