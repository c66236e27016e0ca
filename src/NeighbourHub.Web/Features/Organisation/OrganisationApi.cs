using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Organisation;

public sealed record AdminEstateRow(long Id, string Name, string Address, long CommunityId, string CommunityName, int Households, string? FirmName);

public sealed record AdminHouseholdRow(long Id, long BuildingId, string Building, long UnitId, string Unit, string Room, decimal AreaM2, int Residents);

public static class OrganisationApi
{
    public static IEndpointRouteBuilder MapOrganisationApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin organisation").RequireAuthorization(Policies.Admin);
        admin.MapGet("/estates", (NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) => OrganisationQueries.Estates(db, clock).ToListAsync(ct));
        admin.MapGet("/estates/{estateId:long}/households", ListHouseholds);
        admin.MapPost("/estates/{estateId:long}/households/import", Import).RequireAuthorization(Policies.ManageOrganisation).DisableAntiforgery();
        admin.MapGet("/households/import-template", () =>
            TypedResults.File(HouseholdImport.Template(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "households-template.xlsx"));

        // The console's download link: same file, cookie-authenticated.
        app.MapGet("/admin/files/households-template.xlsx", () =>
            TypedResults.File(HouseholdImport.Template(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "households-template.xlsx"))
            .RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<Paged<AdminHouseholdRow>>, ValidationProblem, NotFound>> ListHouseholds(
        long estateId, long? buildingId, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var (p, s) = Paging.Normalize(page, pageSize, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await OrganisationQueries.Households(db, estateId, buildingId).ToPageAsync(p, s, ct));
    }

    private static async Task<Results<Ok<ImportResult>, ValidationProblem, NotFound>> Import(
        long estateId, IFormFile? file, NeighbourHubDbContext db, HouseholdImport import, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            return new Validation().Add("file", "请上传 .xlsx 房屋名册，表单字段名为 file。").Problem();
        }

        await using var stream = file.OpenReadStream();
        var result = await import.ImportAsync(db, estateId, stream, ct);
        if (!result.Imported)
        {
            var errors = result.Errors.GroupBy(e => e.Row == 0 ? "file" : $"row{e.Row}.{e.Column}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
            return TypedResults.ValidationProblem(errors, title: "未导入任何数据：请修改以下各行后重新上传。");
        }

        return TypedResults.Ok(result);
    }
}

/// <summary>Scoped read models shared by the admin API and the console pages.</summary>
public static class OrganisationQueries
{
    public static IQueryable<AdminEstateRow> Estates(NeighbourHubDbContext db, TimeProvider clock)
    {
        var today = clock.Today();
        return from e in db.Estates
               join c in db.Communities on e.CommunityId equals c.Id
               orderby e.Name, e.Id
               select new AdminEstateRow(e.Id, e.Name, e.Address, c.Id, c.Name,
                   db.Households.Count(h => h.EstateId == e.Id),
                   (from k in db.EstateFirmContracts
                    join f in db.PropertyFirms on k.PropertyFirmId equals f.Id
                    where k.EstateId == e.Id && k.From <= today && (k.To == null || k.To >= today)
                    select f.Name).FirstOrDefault());
    }

    public static IQueryable<AdminHouseholdRow> Households(NeighbourHubDbContext db, long estateId, long? buildingId) =>
        from h in db.Households
        join b in db.Buildings on h.BuildingId equals b.Id
        join u in db.Units on h.UnitId equals u.Id
        where h.EstateId == estateId && (buildingId == null || h.BuildingId == buildingId)
        orderby b.Name, u.Name, h.Room.Length, h.Room
        select new AdminHouseholdRow(h.Id, b.Id, b.Name, u.Id, u.Name, h.Room, h.AreaM2,
            db.Residences.Count(r => r.HouseholdId == h.Id && r.Status == Residents.ResidenceStatus.Approved));
}
