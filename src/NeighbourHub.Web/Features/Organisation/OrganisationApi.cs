using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Organisation;

public sealed record AdminEstateRow(long Id, string Name, string Address, long CommunityId, string CommunityName, int Households, string? FirmName);

/// <param name="HeldByDeveloper">Still held by the developer (unsold or undelivered): all such flats vote as one owner.</param>
public sealed record AdminHouseholdRow(long Id, long BuildingId, string Building, long UnitId, string Unit, string Room, decimal AreaM2, int Residents, bool HeldByDeveloper);

/// <summary>A flat offered by a picker or found by search: its estate and its address as people write it ("1栋1单元101").</summary>
public sealed record HouseholdOption(long Id, long EstateId, string EstateName, string Address, decimal AreaM2)
{
    public string Label => $"{EstateName} {Address}";
}

public static class OrganisationApi
{
    public static IEndpointRouteBuilder MapOrganisationApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin organisation").RequireAuthorization(Policies.Admin);
        admin.MapGet("/estates", (NeighbourHubDbContext db, TimeProvider clock, CancellationToken ct) => OrganisationQueries.Estates(db, clock).ToListAsync(ct));
        admin.MapGet("/estates/{estateId:long}/households", ListHouseholds);
        admin.MapPost("/estates/{estateId:long}/households/import", Import).RequireAuthorization(Policies.ManageOrganisation).DisableAntiforgery();
        admin.MapGet("/households/import-template", () =>
            Spreadsheet.File(HouseholdImport.TemplateName, HouseholdImport.Template()));

        // The console's download link: same file, cookie-authenticated.
        app.MapGet("/admin/files/households-template.xlsx", () =>
            Spreadsheet.File(HouseholdImport.TemplateName, HouseholdImport.Template()))
            .RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<Paged<AdminHouseholdRow>>, ValidationProblem, NotFound>> ListHouseholds(
        long estateId, long? buildingId, string? q, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
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

        return TypedResults.Ok(await OrganisationQueries.Households(db, estateId, buildingId, q).ToPageAsync(p, s, ct));
    }

    private static async Task<Results<Ok<ImportResult>, ValidationProblem, NotFound>> Import(
        long estateId, bool? confirm, IFormFile? file, NeighbourHubDbContext db, HouseholdImport import, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            return new Validation().Add("file", "请上传 .xlsx 房屋名册，表单字段名为 file。").Problem();
        }

        await using var stream = file.OpenReadStream();
        var result = await import.ImportAsync(db, estateId, stream, confirm ?? false, ct);
        if (!result.Imported && !result.NeedsConfirmation)
        {
            var errors = result.Errors.GroupBy(e => e.Row == 0 ? "file" : $"row{e.Row}.{e.Column}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
            return TypedResults.ValidationProblem(errors, title: "未导入任何数据：请修改以下各行后重新上传。");
        }

        // Imported, or a preview of the changes to flats on record (needsConfirmation; send again with ?confirm=true).
        return TypedResults.Ok(result);
    }
}
