using System.Globalization;
using Microsoft.Net.Http.Headers;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Files;

/// <summary>
/// Image uploads and reads. Residents use <c>/api/v1/files</c>, staff <c>/api/v1/admin/files</c> (each with
/// their own bearer token); the console shows photos through <c>/admin/files/photos/{id}</c> with its cookie.
/// </summary>
public static class FilesApi
{
    private const string UploadDescription = "multipart/form-data with the image in the field 'file' (JPEG, PNG or WebP, at most 5 MB and "
        + "Files:MaxImageSidePixels per side). 429 when the caller already has Files:MaxUnattachedPerHour uploads of the last hour that nothing uses.";

    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/files", (HttpRequest r, NeighbourHubDbContext db, FileService f, CancellationToken ct) => Upload(r, db, f, "/api/v1/files", ct))
            .RequireAuthorization(Policies.Resident).DisableAntiforgery().WithTags("Files")
            .Produces<UploadedFile>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status429TooManyRequests).WithDescription(UploadDescription);
        app.MapGet("/api/v1/files/{id}", Read).RequireAuthorization(Policies.Resident).WithTags("Files");

        app.MapPost("/api/v1/admin/files", (HttpRequest r, NeighbourHubDbContext db, FileService f, CancellationToken ct) => Upload(r, db, f, "/api/v1/admin/files", ct))
            .RequireAuthorization(Policies.Admin).DisableAntiforgery().WithTags("Files")
            .Produces<UploadedFile>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status429TooManyRequests).WithDescription(UploadDescription);
        app.MapGet("/api/v1/admin/files/{id}", Read).RequireAuthorization(Policies.Admin).WithTags("Files");
        app.MapGet("/admin/files/photos/{id}", Read).RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        return app;
    }

    /// <summary>multipart/form-data with the image in the field <c>file</c>.</summary>
    private static async Task<IResult> Upload(HttpRequest request, NeighbourHubDbContext db, FileService files, string urlPrefix, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return new Validation().Add("file", "请以 multipart/form-data 上传，图片放在名为 file 的字段中。").Problem();
        }

        // Refuse a body too big to hold one image before buffering it; FileService checks the image itself.
        if (request.ContentLength > ImageSniffer.MaxBytes + 64 * 1024)
        {
            throw new BadHttpRequestException("图片不能超过 5 MB。", StatusCodes.Status413PayloadTooLarge);
        }

        var form = await request.ReadFormAsync(ct);
        var file = form.Files.GetFile("file");
        if (file is null)
        {
            return new Validation().Add("file", "请以 multipart/form-data 上传，图片放在名为 file 的字段中。").Problem();
        }

        await using var content = file.OpenReadStream();
        try
        {
            var uploaded = await files.UploadAsync(db, content, urlPrefix, ct);
            return TypedResults.Created(uploaded.Url, uploaded);
        }
        catch (UploadLimitExceededException e)
        {
            // Answered here rather than by the shared exception handler: residents read this title.
            request.HttpContext.Response.Headers[HeaderNames.RetryAfter] = ((long)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: UploadLimitExceededException.Title, detail: e.Message);
        }
    }

    private static async Task<IResult> Read(string id, HttpContext http, NeighbourHubDbContext db, FileService files, CancellationToken ct)
    {
        if (await files.OpenAsync(db, id, ct) is not { } found)
        {
            return TypedResults.NotFound();
        }

        // Private to those who may see it: never cached by shared proxies; immutable for the browser itself.
        http.Response.Headers[HeaderNames.CacheControl] = "private, max-age=86400, immutable";
        http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return TypedResults.Stream(found.Content, found.File.ContentType, entityTag: new EntityTagHeaderValue($"\"{found.File.Sha256}\""));
    }
}
