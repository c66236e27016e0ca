using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Files;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.IntegrationTests;

/// <summary>Upload limits with uploads on local disk (the default store).</summary>
public sealed class UploadLimitTests(AppFixture fixture) : UploadLimitTestsBase(fixture);

/// <summary>The same tests with uploads in the database: rows and chunks come and go together.</summary>
[Collection(DatabaseFilesCollection.Name)]
public sealed class UploadLimitOnDatabaseStoreTests(DatabaseFilesFixture fixture) : UploadLimitTestsBase(fixture);

/// <summary>Upload limits: unreadable headers, the hourly allowance of unused uploads, and the cleanup of those never used.</summary>
public abstract class UploadLimitTestsBase(AppFixture fixture) : AppTest(fixture)
{
    private IFileStorage Storage => App.Services.GetRequiredService<IFileStorage>();

    /// <summary>Uploads whose bytes are stored: files on disk, or files with chunks in the database.</summary>
    private int FilesOnDisk()
    {
        if (Storage is DatabaseFileStorage)
        {
            using var db = App.SystemDb();
            return db.FileChunks.Select(c => c.FileId).Distinct().Count();
        }

        var dir = App.Services.GetRequiredService<IOptions<FileStorageOptions>>().Value.Directory;
        return Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Count() : 0;
    }

    private async Task<bool> StoredAsync(string id)
    {
        await using var content = await Storage.OpenReadAsync(id, default);
        return content is not null;
    }

    /// <summary>The app's FileService on another clock, for a caller as the API would scope them.</summary>
    private async Task<UploadedFile> UploadAtAsync(TimeProvider clock, Func<NeighbourHubDbContext, Task<AccessScope>> scope, byte[] image, FileUploadOptions? options = null)
    {
        await using var db = App.SystemDb();
        db.Scope = CurrentScope.For(await scope(db));
        return await new FileService(Storage, clock, Options.Create(options ?? new FileUploadOptions()))
            .UploadAsync(db, new MemoryStream(image), "/api/v1/files", default);
    }

    private Func<NeighbourHubDbContext, Task<AccessScope>> Resident(long id) =>
        db => App.Services.GetRequiredService<AccessScopeResolver>().ForResidentAsync(db, id, default);

    private UnattachedFileCleanupJob Job(TimeProvider clock) => new(
        App.Services.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>(), Storage,
        Options.Create(new FileCleanupOptions { PollSeconds = 0 }), Options.Create(new FileUploadOptions()), clock, NullLogger<UnattachedFileCleanupJob>.Instance);

    [Fact]
    public async Task A_png_signature_alone_is_refused_in_chinese_and_nothing_is_stored()
    {
        var (resident, _) = await VerifiedResidentAsync("wx-up-broken", Org.HouseholdsA1[0]);
        var before = FilesOnDisk();

        byte[] twelve = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        var refused = await resident.PostAsync("/api/v1/files", RepairPhotoTests.Form(twelve, "photo.png", "image/png"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var error = Assert.Single((await Json(refused)).GetProperty("errors").GetProperty("file").EnumerateArray()).GetString();
        Assert.Equal("图片已损坏或不完整，请重新拍摄后上传。", error);

        // A header declaring 20000 × 20000 pixels: refused before anyone tries to decode it.
        var huge = TestImages.Png; // IHDR: width and height big-endian at 16 and 20, CRC at 29
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(16), 20_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(20), 20_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(29), System.IO.Hashing.Crc32.HashToUInt32(huge.AsSpan(12, 17)));
        var tooBig = await resident.PostAsync("/api/v1/files", RepairPhotoTests.Form(huge, "huge.png", "image/png"));
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        Assert.Contains("20000×20000", Assert.Single((await Json(tooBig)).GetProperty("errors").GetProperty("file").EnumerateArray()).GetString(), StringComparison.Ordinal);

        await using var db = App.SystemDb();
        Assert.Equal(0, await db.StoredFiles.CountAsync());
        Assert.Equal(before, FilesOnDisk());
    }

    [Fact]
    public async Task The_21st_unused_upload_within_the_hour_is_429_until_one_is_used_or_the_hour_has_passed()
    {
        var (resident, residentId) = await VerifiedResidentAsync("wx-up-limit", Org.HouseholdsA1[0]);
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await RepairPhotoTests.UploadAsync(resident, TestImages.Jpeg));
        }

        var lastUpload = DateTimeOffset.UtcNow;
        var before = FilesOnDisk();
        var refused = await resident.PostAsync("/api/v1/files", RepairPhotoTests.Form(TestImages.Png, "21.png", "image/png"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var problem = await Json(refused);
        Assert.Equal("上传太频繁", problem.GetProperty("title").GetString());
        Assert.Equal("上传太频繁：一小时内最多上传 20 张未使用的图片，请先提交已上传的图片。", problem.GetProperty("detail").GetString());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromMinutes(50), TimeSpan.FromHours(1));
        await using (var db = App.SystemDb())
        {
            Assert.Equal(20, await db.StoredFiles.CountAsync());
        }

        Assert.Equal(before, FilesOnDisk());

        // Staff count for themselves: adminA is not held back by the resident's uploads.
        await RepairPhotoTests.UploadAsync(await App.AdminClientAsync("adminA"), TestImages.Webp, "/api/v1/admin/files");

        // A photo used in a repair no longer counts: one slot, and only one, is free again.
        var category = await RepairPhotoTests.CategoryAsync(resident, Org.EstateA1, "水电");
        var repair = await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, householdId = Org.HouseholdsA1[0], categoryId = category, description = "漏水", photoIds = new[] { ids[0] } });
        Assert.Equal(HttpStatusCode.Created, repair.StatusCode);
        await RepairPhotoTests.UploadAsync(resident, TestImages.Png);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await resident.PostAsync("/api/v1/files", RepairPhotoTests.Form(TestImages.Png, "22.png", "image/png"))).StatusCode);

        // On a clock 59 minutes on, the hour still holds them all; an hour after the last upload, it is empty again.
        var clock = new FakeTimeProvider(lastUpload.AddMinutes(59));
        await Assert.ThrowsAsync<UploadLimitExceededException>(() => UploadAtAsync(clock, Resident(residentId), TestImages.Png));
        clock.SetUtcNow(DateTimeOffset.UtcNow.AddHours(1).AddSeconds(1));
        var later = await UploadAtAsync(clock, Resident(residentId), TestImages.Png);
        Assert.Equal((TestImages.Width, TestImages.Height), (later.Width, later.Height));
        Assert.True(await StoredAsync(later.Id));
    }

    [Fact]
    public async Task Staff_uploads_are_limited_per_staff_member_with_the_configured_limit()
    {
        var (_, residentId) = await VerifiedResidentAsync("wx-up-staff", Org.HouseholdsA1[0]);
        long adminA;
        await using (var db = App.SystemDb())
        {
            adminA = await db.Users.Where(u => u.UserName == "adminA").Select(u => u.Id).SingleAsync();
        }

        Func<NeighbourHubDbContext, Task<AccessScope>> admin = db => App.Services.GetRequiredService<AccessScopeResolver>().ForAdminAsync(db, adminA, default);
        var two = new FileUploadOptions { MaxUnattachedPerHour = 2 };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await UploadAtAsync(clock, admin, TestImages.Png, two);
        await UploadAtAsync(clock, admin, TestImages.Jpeg, two);
        var refused = await Assert.ThrowsAsync<UploadLimitExceededException>(() => UploadAtAsync(clock, admin, TestImages.Webp, two));
        Assert.Equal(TimeSpan.FromHours(1), refused.RetryAfter);
        await UploadAtAsync(clock, Resident(residentId), TestImages.Png, two); // the resident has their own two

        await using var check = App.SystemDb();
        Assert.Equal(2, await check.StoredFiles.CountAsync(f => f.UploadedByAdminId == adminA));
    }

    [Fact]
    public async Task Uploads_sent_all_at_once_never_keep_more_than_the_limit()
    {
        var (resident, _) = await VerifiedResidentAsync("wx-up-burst", Org.HouseholdsA1[0]);
        var before = FilesOnDisk();
        var answers = await Task.WhenAll(Enumerable.Range(0, 40)
            .Select(i => resident.PostAsync("/api/v1/files", RepairPhotoTests.Form(TestImages.Png, $"{i}.png", "image/png"))));
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.TooManyRequests }));
        var created = answers.Count(a => a.StatusCode == HttpStatusCode.Created);
        Assert.InRange(created, 0, 20);

        // What was answered 201 is exactly what is kept, rows and bytes.
        await using var db = App.SystemDb();
        Assert.Equal(created, await db.StoredFiles.CountAsync());
        Assert.Equal(before + created, FilesOnDisk());
    }

    [Fact]
    public async Task The_cleanup_deletes_day_old_unused_uploads_with_their_bytes_and_keeps_used_and_recent_ones()
    {
        var (resident, residentId) = await VerifiedResidentAsync("wx-up-clean", Org.HouseholdsA1[0]);
        var unused = await RepairPhotoTests.UploadAsync(resident, TestImages.Png);
        var used = await RepairPhotoTests.UploadAsync(resident, TestImages.Jpeg);
        var staffUnused = await RepairPhotoTests.UploadAsync(await App.AdminClientAsync("adminA"), TestImages.Webp, "/api/v1/admin/files");
        var category = await RepairPhotoTests.CategoryAsync(resident, Org.EstateA1, "水电");
        var repair = await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, householdId = Org.HouseholdsA1[0], categoryId = category, description = "漏水", photoIds = new[] { used } });
        Assert.Equal(HttpStatusCode.Created, repair.StatusCode);
        var start = DateTimeOffset.UtcNow;

        // Uploaded 23 hours later: not a day old when the job runs.
        var clock = new FakeTimeProvider(start.AddHours(23));
        var recent = (await UploadAtAsync(clock, Resident(residentId), TestImages.Png)).Id;

        clock.SetUtcNow(start.AddHours(23).AddMinutes(59));
        Assert.Equal(0, await Job(clock).RunOnceAsync(default));

        // A day on: two instances at once delete each old unused upload once.
        clock.SetUtcNow(start.AddHours(24).AddMinutes(1));
        var deleted = await Task.WhenAll(Job(clock).RunOnceAsync(default), Job(clock).RunOnceAsync(default));
        Assert.Equal(2, deleted.Sum());
        Assert.Equal(0, await Job(clock).RunOnceAsync(default));

        await using var db = App.SystemDb();
        Assert.Equal(new[] { recent, used }.Order(), (await db.StoredFiles.Select(f => f.Id).ToListAsync()).Order());
        Assert.False(await StoredAsync(unused));
        Assert.False(await StoredAsync(staffUnused));
        Assert.True(await StoredAsync(used));
        Assert.True(await StoredAsync(recent));
        Assert.Equal(HttpStatusCode.OK, (await resident.GetAsync($"/api/v1/files/{used}")).StatusCode);

        // The delete itself re-checks: asked directly, it leaves a photo a repair uses.
        Assert.False(await FileService.DeleteIfUnattachedAsync(db, Storage, used, default));
        Assert.True(await StoredAsync(used));
    }
}

/// <summary>The same counting and conditional delete on SQLite (times stored as numbers there), the embedded default.</summary>
public sealed class UploadLimitSqliteTests
{
    [Theory]
    [InlineData("Disk")]
    [InlineData("Database")]
    public async Task On_SQLite_the_limit_counts_and_the_cleanup_deletes_by_time(string store)
    {
        await using var app = NeighbourHubAppFactory.OnSqlite(wechat: null, new Dictionary<string, string?> { ["Files:Store"] = store });
        var residentId = (await app.CreateResidentsAsync("sqlite-up", 1))[0].Id;
        var storage = app.Services.GetRequiredService<IFileStorage>();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var files = new FileService(storage, clock, Options.Create(new FileUploadOptions { MaxUnattachedPerHour = 1 }));

        async Task<UploadedFile> UploadAsync()
        {
            await using var db = app.SystemDb();
            db.Scope = CurrentScope.For(await app.Services.GetRequiredService<AccessScopeResolver>().ForResidentAsync(db, residentId, default));
            return await files.UploadAsync(db, new MemoryStream(TestImages.Png), "/api/v1/files", default);
        }

        var first = await UploadAsync();
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(TimeSpan.FromMinutes(1), (await Assert.ThrowsAsync<UploadLimitExceededException>(UploadAsync)).RetryAfter);
        clock.Advance(TimeSpan.FromMinutes(2));
        var second = await UploadAsync();

        // 24 h after the first, before the second turns a day old.
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 8, 30, 0, TimeSpan.Zero));
        var job = new UnattachedFileCleanupJob(app.Services.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>(), storage,
            Options.Create(new FileCleanupOptions { PollSeconds = 0 }), Options.Create(new FileUploadOptions()), clock, NullLogger<UnattachedFileCleanupJob>.Instance);
        Assert.Equal(1, await job.RunOnceAsync(default));
        await using var check = app.SystemDb();
        Assert.Equal(second.Id, await check.StoredFiles.Select(f => f.Id).SingleAsync());
        Assert.Null(await storage.OpenReadAsync(first.Id, default));
    }
}
