using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Files;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Repairs;

/// <summary>A report staff take down for a resident (see <see cref="RepairService.SubmitForFlatAsync"/>); source: phone, counter, grid_patrol.</summary>
public sealed record StaffReport(long? EstateId, long? HouseholdId, long? CategoryId, string? Description, string? Location, string? ReporterName,
    string? ContactPhone, string? Source, IReadOnlyList<string>? PhotoIds);

public sealed record StaffMember(long Id, string Name, AdminRole Role)
{
    /// <summary>The enabled accounts holding these role assignments, named as staff are shown, by role and account.</summary>
    public static IQueryable<StaffMember> Holding(NeighbourHubDbContext db, IQueryable<RoleAssignment> assignments) =>
        from a in assignments
        join u in db.Users.Where(u => !u.IsDisabled).Select(AdminUser.Named) on a.AdminUserId equals u.Id
        orderby a.Role, u.Account
        select new StaffMember(u.Id, u.Name, a.Role);
}

/// <summary>
/// The repair loop 居民点单 → 小区派单 → 接单 → 群众评单. Every step goes through the state machine on
/// <see cref="Repair"/>, leaves a timeline entry, and tells the reporter through the outbox when it
/// concerns them.
/// </summary>
public sealed class RepairService(TimeProvider clock)
{
    /// <summary>Why the owners' committee hears 403 on every staff step: it watches the trustee's work, it does not do it.</summary>
    public const string HandlersOnlyText = "业委会成员只能查看报事报修，不能派单、接单、处理、办结或代为登记；请由物业、网格员或社区办理。";

    /// <summary>
    /// Whether the caller handles repairs: platform and community admins, firm staff and grid workers. A committee member
    /// (业委会) reads repairs of their estate — the owners' side checking the trustee — but takes no step on them.
    /// </summary>
    public static bool MayHandle(AccessScope scope) =>
        scope.Unrestricted || scope.Has(AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.FirmStaff, AdminRole.GridWorker);

    /// <summary>Checked before any id is looked at, so the answer (403) says nothing about whether the repair exists.</summary>
    private static void RequireHandler(NeighbourHubDbContext db)
    {
        if (!MayHandle(db.Scope.Value))
        {
            throw new ForbiddenException(HandlersOnlyText);
        }
    }

    /// <summary>How a staff-taken report came in, as the API spells it and as the console shows it.</summary>
    public static readonly IReadOnlyDictionary<RepairSource, (string Wire, string Text)> StaffSources = new Dictionary<RepairSource, (string, string)>
    {
        [RepairSource.Phone] = ("phone", "电话报修"),
        [RepairSource.Counter] = ("counter", "前台登记"),
        [RepairSource.GridPatrol] = ("grid_patrol", "网格巡查"),
    };

    /// <summary>
    /// A report staff take down for a resident — by phone, at the counter, on a grid patrol — on behalf of a flat (or a
    /// public area), with who reported it and a number to call back. Same category, deadline and photo rules as a
    /// resident's own report; the flat must be one the caller sees (a grid worker: of their grid's buildings).
    /// </summary>
    public async Task<Repair> SubmitForFlatAsync(NeighbourHubDbContext db, StaffReport report, CancellationToken ct)
    {
        RequireHandler(db);
        var source = StaffSources.FirstOrDefault(s => s.Value.Wire == report.Source).Key;
        var phone = report.ContactPhone?.Trim().Replace(" ", "", StringComparison.Ordinal);
        var v = new Validation()
            .Positive("estateId", report.EstateId)
            .Positive("categoryId", report.CategoryId)
            .When(report.HouseholdId is <= 0, "householdId", "请选择房屋。")
            .Required("description", report.Description, 1000, "问题描述")
            .MaxLength("location", report.Location, 200)
            .Required("reporterName", report.ReporterName, 50, "报修人姓名")
            .When(string.IsNullOrEmpty(phone), "contactPhone", "请填写联系电话。")
            .When(!string.IsNullOrEmpty(phone) && !PhoneLike(phone), "contactPhone", "联系电话应为 7 到 20 位数字（座机可带区号和“-”）。")
            .When(!StaffSources.ContainsKey(source), "source", "报修来源只能是 phone（电话）、counter（前台）或 grid_patrol（网格巡查）。")
            .When(report.PhotoIds is { Count: > Repair.MaxPhotos }, "photoIds", Repair.PhotoLimitText);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var estateId = report.EstateId!.Value;
        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            throw new NotFoundException("小区");
        }

        var category = await db.RepairCategories.SingleOrDefaultAsync(c => c.Id == report.CategoryId && c.EstateId == estateId, ct)
            ?? throw new DomainValidationException("categoryId", "该小区没有这个报修类别。");
        if (report.HouseholdId is { } h)
        {
            // The flat through its filter: outside the caller's scope (another estate, another grid's building) it is not found.
            if (!await db.Households.AnyAsync(x => x.Id == h && x.EstateId == estateId, ct))
            {
                throw new NotFoundException("房屋");
            }
        }
        else if (!category.IsPublicArea)
        {
            throw new DomainValidationException("householdId", $"「{category.Name}」是户内报修，请选择报修的房屋；公共区域的问题请选公共区域类别。");
        }

        var photos = await FileService.RequireOwnUnusedAsync(db, report.PhotoIds, ct);
        var repair = NewRepair(estateId, category, report.Description!.Trim(), report.Location?.Trim() ?? "");
        repair.HouseholdId = report.HouseholdId;
        repair.Source = source;
        repair.ReporterName = report.ReporterName!.Trim();
        repair.ContactPhone = phone;
        repair.RecordedById = db.Scope.Value.AdminUserId;
        await CreateAsync(db, repair, db.Scope.Value.ActorName, photos, ct,
            $"{StaffSources[source].Text}，报修人 {NameMasking.Mask(repair.ReporterName)}");
        return repair;
    }

    private static bool PhoneLike(string phone) =>
        phone.Length is >= 7 and <= 20 && phone.All(c => char.IsAsciiDigit(c) || c == '-') && char.IsAsciiDigit(phone[0]) && char.IsAsciiDigit(phone[^1]);

    public async Task<Repair> SubmitAsync(NeighbourHubDbContext db, long residentId, long estateId, long? householdId, long categoryId,
        string description, string location, IReadOnlyList<string>? photoIds, CancellationToken ct, string? idempotencyKey = null)
    {
        if (!db.Scope.Value.CanSeeEstate(estateId))
        {
            throw new ForbiddenException("只能为您已完成住户认证的小区报修。");
        }

        // A retried report (same resident, same key) answers the first one; looked up before the photos, which the
        // first report already used.
        if (idempotencyKey is not null && await db.Repairs.SingleOrDefaultAsync(r => r.ReporterId == residentId && r.IdempotencyKey == idempotencyKey, ct) is { } earlier)
        {
            return earlier;
        }

        if (householdId is { } h && !await db.Residences.AnyAsync(r => r.ResidentId == residentId && r.HouseholdId == h && r.Status == ResidenceStatus.Approved, ct))
        {
            throw new DomainValidationException("householdId", "这不是您已认证的房屋。");
        }

        var category = await db.RepairCategories.SingleOrDefaultAsync(c => c.Id == categoryId && c.EstateId == estateId, ct)
            ?? throw new DomainValidationException("categoryId", "该小区没有这个报修类别。");
        var photos = await FileService.RequireOwnUnusedAsync(db, photoIds, ct);
        var repair = NewRepair(estateId, category, description, location);
        repair.HouseholdId = householdId;
        repair.ReporterId = residentId;
        repair.IdempotencyKey = idempotencyKey;
        try
        {
            await CreateAsync(db, repair, $"resident:{residentId}", photos, ct);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // The same key raced in on another request (or instance) and won the unique index: answer its report.
            db.ChangeTracker.Clear();
            return await db.Repairs.SingleOrDefaultAsync(r => r.ReporterId == residentId && r.IdempotencyKey == idempotencyKey, ct)
                ?? throw new ConflictException("同一报修正在提交中，请稍后重试。");
        }

        return repair;
    }

    /// <summary>A report from another system (Open311): no resident behind it, so nobody to notify or to rate it.</summary>
    public async Task<Repair> SubmitExternalAsync(NeighbourHubDbContext db, long estateId, RepairCategory category, string description, string location,
        double? latitude, double? longitude, string? contact, string client, CancellationToken ct)
    {
        var repair = NewRepair(estateId, category, description, location);
        repair.Source = RepairSource.Open311;
        repair.Latitude = latitude;
        repair.Longitude = longitude;
        repair.ExternalContact = contact;
        await CreateAsync(db, repair, $"open311:{client}", [], ct);
        return repair;
    }

    /// <summary>
    /// A public-area matter staff hand to the trustee (a 议事 topic sorted as routine, 琐事): no resident reported it, so
    /// nobody is notified or rates it. The category must be a public-area one of the estate; none given, the first such.
    /// Joins the caller's transaction, so the topic and its repair land together.
    /// </summary>
    public async Task<Repair> SubmitForTopicAsync(NeighbourHubDbContext db, long estateId, long? categoryId, string description, string location, CancellationToken ct)
    {
        var publicArea = db.RepairCategories.Where(c => c.EstateId == estateId && c.IsPublicArea);
        var category = categoryId is { } id
            ? await publicArea.SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw new DomainValidationException("repairCategoryId", "请选择该小区的公共区域报修类别。")
            : await publicArea.OrderBy(c => c.Id).FirstOrDefaultAsync(ct) ?? throw new ConflictException("该小区没有公共区域报修类别，请先添加后再转交物业。");
        var repair = NewRepair(estateId, category, description, location);
        repair.Source = RepairSource.Topic;
        await CreateAsync(db, repair, db.Scope.Value.ActorName, [], ct);
        return repair;
    }

    private Repair NewRepair(long estateId, RepairCategory category, string description, string location)
    {
        var now = clock.StorableNow();
        return new Repair
        {
            EstateId = estateId,
            CategoryId = category.Id,
            Description = description,
            Location = location,
            CreatedAt = now,
            UpdatedAt = now,
            DeadlineAt = now.AddHours(category.DeadlineHours),
        };
    }

    /// <summary>The repair, its photos and its first timeline entry land together or not at all.</summary>
    private async Task CreateAsync(NeighbourHubDbContext db, Repair repair, string actor, IReadOnlyList<string> photos, CancellationToken ct, string? note = null)
    {
        // Inside a caller's transaction (a topic handed over), that transaction decides; otherwise this one.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        db.Repairs.Add(repair);
        var figures = await RepairDayFigures.PendingChangesAsync(db, ct);
        await db.SaveChangesAsync(ct);
        await RepairDayFigures.ApplyAsync(db, figures, ct);
        db.RepairPhotos.AddRange(photos.Select(id => new RepairPhoto { RepairId = repair.Id, FileId = id, Stage = PhotoStage.Report }));
        AddEvent(db, repair, "submitted", actor, note);
        await db.SaveChangesAsync(ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }
    }

    public Task<Repair> CancelAsync(NeighbourHubDbContext db, long repairId, long residentId, CancellationToken ct) =>
        ResidentStepAsync(db, repairId, residentId, r => r.Cancel(), "cancelled", null, ct);

    public async Task<Repair> ReopenAsync(NeighbourHubDbContext db, long repairId, long residentId, string reason, CancellationToken ct)
    {
        var hours = await (from r in db.Repairs
                           where r.Id == repairId
                           join c in db.RepairCategories.Unscoped(Because.DetailsOfARowInScope) on r.CategoryId equals c.Id
                           select (int?)c.DeadlineHours).SingleOrDefaultAsync(ct) ?? 72;
        var repair = await ResidentStepAsync(db, repairId, residentId, r => r.Reopen(clock.StorableNow(), TimeSpan.FromHours(hours)), "reopened", reason, ct);
        return repair;
    }

    public Task<Repair> RateAsync(NeighbourHubDbContext db, long repairId, long residentId, int stars, string? comment, CancellationToken ct) =>
        ResidentStepAsync(db, repairId, residentId, r => r.Rate(stars, comment, clock.GetUtcNow()), "rated", $"{stars}★ {comment}".Trim(), ct);

    /// <summary>催单: the assignee sees it on the board (urged repairs sort first) and in the timeline.</summary>
    public Task<Repair> UrgeAsync(NeighbourHubDbContext db, long repairId, long residentId, CancellationToken ct) =>
        ResidentStepAsync(db, repairId, residentId, r => r.Urge(clock.GetUtcNow()), "urged", null, ct);

    private async Task<Repair> ResidentStepAsync(NeighbourHubDbContext db, long repairId, long residentId, Action<Repair> step, string action, string? note,
        CancellationToken ct)
    {
        var repair = await db.Repairs.SingleOrDefaultAsync(r => r.Id == repairId && r.ReporterId == residentId, ct) ?? throw new NotFoundException("报修单");
        step(repair);
        AddEvent(db, repair, action, $"resident:{residentId}", note);
        await SaveAsync(db, repair, ct);
        return repair;
    }

    public async Task<Repair> AssignAsync(NeighbourHubDbContext db, long repairId, long assigneeId, CancellationToken ct)
    {
        RequireHandler(db);
        var repair = await db.Repairs.SingleOrDefaultAsync(r => r.Id == repairId, ct) ?? throw new NotFoundException("报修单");
        var staff = await StaffForAsync(db, repair.EstateId, ct);
        var assignee = staff.FirstOrDefault(s => s.Id == assigneeId)
            ?? throw new DomainValidationException("assigneeId", "请从负责该小区的工作人员中选择处理人。");
        repair.Assign(assigneeId);
        AddEvent(db, repair, "assigned", db.Scope.Value.ActorName, assignee.Name);
        await NotifyAsync(db, repair, "repair.assigned", "已派单", ct);
        await SaveAsync(db, repair, ct);
        return repair;
    }

    /// <summary>接单: staff who may work in the estate take an unassigned repair themselves.</summary>
    public async Task<Repair> GrabAsync(NeighbourHubDbContext db, long repairId, CancellationToken ct)
    {
        RequireHandler(db);
        var repair = await db.Repairs.SingleOrDefaultAsync(r => r.Id == repairId, ct) ?? throw new NotFoundException("报修单");
        var me = db.Scope.Value.AdminUserId ?? 0;
        if (repair.Status != RepairStatus.Submitted)
        {
            throw new ConflictException($"只有待派单的报修单才能接单，该报修单当前为「{StatusTexts.Of(repair.Status)}」。");
        }

        if ((await StaffForAsync(db, repair.EstateId, ct)).All(s => s.Id != me))
        {
            throw new ForbiddenException("您不负责该小区：只有服务该小区的物业人员、所在网格的网格员和社区管理员可以接单。");
        }

        repair.Assign(me);
        AddEvent(db, repair, "taken", db.Scope.Value.ActorName, null);
        await NotifyAsync(db, repair, "repair.assigned", "已接单", ct);
        await SaveAsync(db, repair, ct);
        return repair;
    }

    public async Task<Repair> StartAsync(NeighbourHubDbContext db, long repairId, CancellationToken ct)
    {
        RequireHandler(db);
        var repair = await db.Repairs.SingleOrDefaultAsync(r => r.Id == repairId, ct) ?? throw new NotFoundException("报修单");
        repair.Start(db.Scope.Value.AdminUserId ?? 0);
        AddEvent(db, repair, "started", db.Scope.Value.ActorName, null);
        await NotifyAsync(db, repair, "repair.started", "处理中", ct);
        await SaveAsync(db, repair, ct);
        return repair;
    }

    /// <summary>Staff resolve with a note and up to <see cref="Repair.MaxPhotos"/> photos; the API and the console both come here.</summary>
    public async Task<Repair> ResolveAsync(NeighbourHubDbContext db, long repairId, string? note, IReadOnlyList<string>? photoIds, CancellationToken ct)
    {
        RequireHandler(db);
        var v = new Validation().Required("note", note, 1000).When(photoIds is { Count: > Repair.MaxPhotos }, "photoIds", Repair.PhotoLimitText);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        note = note!.Trim();
        var repair = await db.Repairs.SingleOrDefaultAsync(r => r.Id == repairId, ct) ?? throw new NotFoundException("报修单");
        var photos = await FileService.RequireOwnUnusedAsync(db, photoIds, ct);
        repair.Resolve(note, clock.StorableNow());
        db.RepairPhotos.AddRange(photos.Select(id => new RepairPhoto { RepairId = repair.Id, FileId = id, Stage = PhotoStage.Resolution }));
        AddEvent(db, repair, "resolved", db.Scope.Value.ActorName, note);
        await NotifyAsync(db, repair, "repair.resolved", "已处理，请评价", ct);
        await SaveAsync(db, repair, ct);
        return repair;
    }

    /// <summary>Who may be assigned in an estate: staff of the firm serving it today, its grid workers and its community admins.</summary>
    public async Task<List<StaffMember>> StaffForAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        var estate = await db.Estates.SingleOrDefaultAsync(e => e.Id == estateId, ct) ?? throw new NotFoundException("小区");
        var today = clock.Today();
        var firms = db.EstateFirmContracts.Unscoped(Because.StaffOfAnEstateInScope)
            .Where(EstateFirmContract.ActiveOn(today)).Where(c => c.EstateId == estateId).Select(c => (long?)c.PropertyFirmId);
        var grids = from gb in db.GridBuildings
                    join b in db.Buildings.Unscoped(Because.StaffOfAnEstateInScope) on gb.BuildingId equals b.Id
                    where b.EstateId == estateId
                    select (long?)gb.GridId;
        return await StaffMember.Holding(db, db.RoleAssignments.Where(a =>
            (a.Role == AdminRole.FirmStaff && firms.Contains(a.PropertyFirmId))
            || (a.Role == AdminRole.GridWorker && grids.Contains(a.GridId))
            || (a.Role == AdminRole.CommunityAdmin && a.CommunityId == estate.CommunityId))).ToListAsync(ct);
    }

    /// <summary>
    /// One transaction for the step, its timeline entry, its notification and the day figures it moves (ADR 0013): all or
    /// nothing. Status and AssigneeId are concurrency tokens, so of two staff racing on one repair the second gets a 409 here, before
    /// its figures are touched.
    /// </summary>
    private async Task SaveAsync(NeighbourHubDbContext db, Repair repair, CancellationToken ct)
    {
        repair.UpdatedAt = clock.StorableNow();
        try
        {
            await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
            var figures = await RepairDayFigures.PendingChangesAsync(db, ct);
            await db.SaveChangesAsync(ct);
            await RepairDayFigures.ApplyAsync(db, figures, ct);
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
            }
        }
        catch (Exception e) when (e is DbUpdateConcurrencyException || IsTransient(e))
        {
            // A deadlock (two staff on one repair: each took a shared lock on it for its timeline entry before updating it)
            // rolled the whole step back, figures included, like the lost race it is: 409, never 500.
            db.ChangeTracker.Clear();
            throw new ConflictException("这张报修单刚刚被其他人更新，请刷新后查看最新状态。");
        }
        catch (DbUpdateException) when (db.ChangeTracker.Entries<RepairPhoto>().Any(e => e.State == EntityState.Added))
        {
            // Two requests attached the same photo at once: the unique index let one win.
            db.ChangeTracker.Clear();
            throw new ConflictException("有照片刚刚被用在了别处，请重新上传。");
        }
    }

    private static bool IsTransient(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }

    internal void AddEvent(NeighbourHubDbContext db, Repair repair, string action, string actor, string? note) =>
        db.RepairEvents.Add(new RepairEvent { RepairId = repair.Id, At = clock.StorableNow(), Action = action, Actor = actor, Note = note });

    private async Task NotifyAsync(NeighbourHubDbContext db, Repair repair, string template, string text, CancellationToken ct)
    {
        if (repair.ReporterId is not { } reporter)
        {
            return; // Open311 reports have nobody in the mini-program to tell.
        }

        // Each step happens once (Status is a concurrency token), so a fresh key per step is right here.
        await Outbox.EnqueueAsync(db, OutboxTopics.SubscribeMessage, $"{template}:{repair.Id}:{Guid.NewGuid():N}",
            new SubscribeMessagePayload(reporter, template, $"pages/repairs/detail?id={repair.Id}",
                new Dictionary<string, string> { ["character_string1"] = repair.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["phrase2"] = text }), clock, ct);
    }
}
