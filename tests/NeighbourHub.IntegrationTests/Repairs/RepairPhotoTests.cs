using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using NeighbourHub.TestSupport;

namespace NeighbourHub.IntegrationTests;

/// <summary>Photo uploads on local disk (the default store).</summary>
public sealed class RepairPhotoTests(AppFixture fixture) : RepairPhotoTestsBase(fixture);

/// <summary>The same tests with uploads in the database (Files:Store=Database).</summary>
[Collection(DatabaseFilesCollection.Name)]
public sealed class RepairPhotoOnDatabaseStoreTests(DatabaseFilesFixture fixture) : RepairPhotoTestsBase(fixture);

/// <summary>Photo uploads: type from the bytes, 5 MB, and read only by those who may see the repair.</summary>
public abstract class RepairPhotoTestsBase(AppFixture fixture) : AppTest(fixture)
{
    internal static readonly byte[] Png = TestImages.Png;
    internal static readonly byte[] Jpeg = TestImages.Jpeg;
    internal static readonly byte[] Webp = TestImages.Webp;

    internal static MultipartFormDataContent Form(byte[] bytes, string fileName, string contentType, string field = "file")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new MultipartFormDataContent { { file, field, fileName } };
    }

    internal static async Task<string> UploadAsync(HttpClient client, byte[] bytes, string path = "/api/v1/files")
    {
        var response = await client.PostAsync(path, Form(bytes, "photo.jpg", "image/jpeg"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json(response)).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Types_are_judged_by_their_bytes_and_size_is_limited()
    {
        var (resident, _) = await VerifiedResidentAsync("wx-ph-types", Org.HouseholdsA1[0]);

        // A PNG named .jpg and declared as JPEG is stored (and served) as what it is.
        var png = await resident.PostAsync("/api/v1/files", Form(Png, "photo.jpg", "image/jpeg"));
        Assert.Equal(HttpStatusCode.Created, png.StatusCode);
        var body = await Json(png);
        Assert.Equal("image/png", body.GetProperty("contentType").GetString());
        Assert.Equal((TestImages.Width, TestImages.Height), (body.GetProperty("width").GetInt32(), body.GetProperty("height").GetInt32()));
        var read = await resident.GetAsync(body.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("image/png", read.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Png, await read.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Created, (await resident.PostAsync("/api/v1/files", Form(Webp, "a.webp", "image/webp"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await resident.PostAsync("/api/v1/files", Form(Jpeg, "a.jpeg", "image/jpeg"))).StatusCode);

        // A script with an image's name and type is refused; so is an empty file, a missing field and a plain JSON body.
        var fake = await resident.PostAsync("/api/v1/files", Form("<script>alert(1)</script>"u8.ToArray(), "evil.jpg", "image/jpeg"));
        Assert.Equal(HttpStatusCode.BadRequest, fake.StatusCode);
        Assert.True((await Json(fake)).GetProperty("errors").TryGetProperty("file", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await resident.PostAsync("/api/v1/files", Form([], "empty.png", "image/png"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await resident.PostAsync("/api/v1/files", Form(Png, "a.png", "image/png", field: "image"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await resident.PostAsJsonAsync("/api/v1/files", new { file = "x" })).StatusCode); // not multipart

        // 5 MB exactly is fine; one byte more is 413.
        var five = new byte[5 * 1024 * 1024];
        Jpeg.CopyTo(five, 0);
        Assert.Equal(HttpStatusCode.Created, (await resident.PostAsync("/api/v1/files", Form(five, "big.jpg", "image/jpeg"))).StatusCode);
        var tooBig = new byte[five.Length + 1];
        Jpeg.CopyTo(tooBig, 0);
        var refused = await resident.PostAsync("/api/v1/files", Form(tooBig, "big.jpg", "image/jpeg"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);

        // Only what the resident uploaded was stored.
        await using var db = App.SystemDb();
        Assert.Equal(4, db.StoredFiles.Count());
    }

    [Fact]
    public async Task Photos_travel_with_the_repair_and_only_those_who_may_see_it_can_read_them()
    {
        var (resident, _) = await VerifiedResidentAsync("wx-ph-owner", Org.HouseholdsA1[0]);
        var (neighbour, _) = await VerifiedResidentAsync("wx-ph-neighbour", Org.HouseholdsA1[1]);
        var photo = await UploadAsync(resident, Png);
        var neighbourPhoto = await UploadAsync(neighbour, Jpeg);
        var category = await CategoryAsync(resident, Org.EstateA1, "水电");

        // Someone else's photo, an unknown id, or more than nine photos: the report is refused and nothing is written.
        foreach (var ids in new[] { new[] { neighbourPhoto }, ["0123456789abcdef0123456789abcdef"], Enumerable.Repeat(photo, 10).ToArray() })
        {
            var bad = await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, categoryId = category, description = "漏水", photoIds = ids });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        var created = await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, householdId = Org.HouseholdsA1[0], categoryId = category, description = "漏水", photoIds = new[] { photo } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await Json(created)).GetProperty("id").GetInt64();

        // A photo belongs to one repair only.
        var again = await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, categoryId = category, description = "又漏", photoIds = new[] { photo } });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);

        var detail = await Json(await resident.GetAsync($"/api/v1/repairs/{id}"));
        var listed = Assert.Single(detail.GetProperty("photos").EnumerateArray());
        Assert.Equal("report", listed.GetProperty("stage").GetString());
        Assert.Equal(HttpStatusCode.OK, (await resident.GetAsync(listed.GetProperty("url").GetString())).StatusCode);

        // Staff of the estate read it; the neighbour and a foreign community's admin get 404.
        var adminA = await App.AdminClientAsync("adminA");
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.OK, (await adminA.GetAsync($"/api/v1/admin/files/{photo}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/admin/files/{photo}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await neighbour.GetAsync($"/api/v1/files/{photo}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await neighbour.GetAsync("/api/v1/files/..%2F..%2Fetc%2Fpasswd")).StatusCode);

        // The firm resolves with its own photo; the resident sees both stages.
        var firm = await App.AdminClientAsync("firmF");
        var staff = await Json(await adminA.GetAsync($"/api/v1/admin/staff?estateId={Org.EstateA1}"));
        var firmId = staff.EnumerateArray().Single(s => s.GetProperty("role").GetString() == "firmStaff").GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/repairs/{id}/grab", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await adminA.PostAsync($"/api/v1/admin/repairs/{id}/grab", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/repairs/{id}/start", null)).StatusCode);
        var fixPhoto = await UploadAsync(firm, Webp, "/api/v1/admin/files");
        Assert.Equal(HttpStatusCode.BadRequest, (await firm.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/resolve", new { note = "修好", photoIds = new[] { photo } })).StatusCode);
        var resolved = await firm.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/resolve", new { note = "换了阀门", photoIds = new[] { fixPhoto } });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal(firmId, (await Json(resolved)).GetProperty("assigneeId").GetInt64());
        var stages = (await Json(await resident.GetAsync($"/api/v1/repairs/{id}"))).GetProperty("photos").EnumerateArray().Select(p => p.GetProperty("stage").GetString()).ToArray();
        Assert.Equal(new[] { "report", "resolution" }, stages);
        Assert.Equal(HttpStatusCode.OK, (await resident.GetAsync($"/api/v1/files/{fixPhoto}")).StatusCode);
    }

    internal static async Task<long> CategoryAsync(HttpClient client, long estateId, string name)
    {
        var categories = await Json(await client.GetAsync($"/api/v1/repair-categories?estateId={estateId}"));
        return categories.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("id").GetInt64();
    }
}
