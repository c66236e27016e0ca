using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using NeighbourHub.Web.Components;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Files;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Votes.Admin;

/// <summary>
/// Base of the owners' votes pages: the estates in the caller's scope, whether the caller organises an estate's votes
/// (<see cref="VoteDesk.OrganiserAsync"/>), and the texts and conversions the pages share. Reads go through
/// <see cref="VoteQueries"/>, writes through <see cref="VoteDesk"/>.
/// </summary>
public abstract class VotePageBase : ConsolePageBase
{
    [Inject] protected VoteQueries Queries { get; set; } = default!;

    [Inject] protected VoteDesk Desk { get; set; } = default!;

    [Inject] protected FileService Files { get; set; } = default!;

    [Inject] protected TimeProvider Clock { get; set; } = default!;

    protected List<EstateChoice> Estates { get; private set; } = [];

    protected async Task LoadEstatesAsync()
    {
        await using var db = await Console.CreateAsync();
        Estates = await BillingQueries.Estates(db).ToListAsync();
    }

    /// <summary>Whether the signed-in admin organises the estate's votes (committee member of it, community or platform admin).</summary>
    protected async Task<bool> CanOrganiseAsync(long estateId)
    {
        await using var db = await Console.CreateAsync();
        try
        {
            await VoteDesk.OrganiserAsync(db, estateId, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is ForbiddenException or NotFoundException)
        {
            return false;
        }
    }

    /// <summary>Stores a scan of a signed ballot (image or PDF, up to 5 MB) and returns its id for the desk.</summary>
    protected async Task<string> UploadScanAsync(NeighbourHubDbContext db, IBrowserFile file)
    {
        if (file.Size > ImageSniffer.MaxBytes)
        {
            throw new DomainValidationException("scanFileId", $"「{file.Name}」超过 5 MB，请压缩后再上传。");
        }

        await using var stream = file.OpenReadStream(ImageSniffer.MaxBytes);
        return (await Files.UploadAsync(db, stream, "/api/v1/admin/files", CancellationToken.None)).Id;
    }

    /// <summary>A wall-clock time typed in China (the pickers' value) as an instant.</summary>
    protected static DateTimeOffset FromChina(DateTime local) => new(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), ChinaTime.Offset);

    /// <summary>An instant as the China wall-clock time the pickers show, to the minute.</summary>
    protected static DateTime ToChinaLocal(DateTimeOffset instant)
    {
        var t = instant.ToChina().DateTime;
        return new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Unspecified);
    }

    public static string StatusChip(string status) => status switch
    {
        "announced" => "已公告",
        "open" => "投票中",
        "closed" => "已结束",
        _ => "已取消",
    };

    public static Color StatusColor(string status) => status switch
    {
        "announced" => Color.Info,
        "open" => Color.Success,
        "closed" => Color.Primary,
        _ => Color.Default,
    };

    public static string M2(decimal m2) => m2.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>“已投 x / y 人，面积 a / b m²” — the only running figures a vote shows while open.</summary>
    public static string TurnoutText(TurnoutView t) => $"已投 {t.Voters} / {t.VotersTotal} 人，面积 {M2(t.AreaM2)} / {M2(t.AreaTotalM2)} m²";

    /// <summary>A share for reading (the counts beside it are what anyone recounts).</summary>
    public static string Percent(decimal part, decimal whole) => whole == 0 ? "—" : (100m * part / whole).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    public static double Ratio(decimal part, decimal whole) => whole == 0 ? 0 : (double)(100m * part / whole);

    /// <summary>Bar chart options with values on the bars and a y axis of about five round steps up to <paramref name="max"/>.</summary>
    public static BarChartOptions Bars(double max, string format = "0")
    {
        var raw = Math.Max(1, max / 5);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        return new BarChartOptions { ShowValues = true, YAxisTicks = Math.Max(1, (int)Math.Ceiling(step)), YAxisFormat = format, YAxisSuggestedMax = Math.Max(1, max) };
    }

    public static string ChannelText(string wire) => wire switch
    {
        "online" => "线上投票",
        "paper" => "纸质选票",
        _ => "委托投票",
    };
}
