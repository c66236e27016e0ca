using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Components;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Files;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Fund.Admin;

/// <summary>
/// Base of the owners' fund pages: the estate picked (from <c>?estate=</c>, else the first the admin sees), what the
/// signed-in admin is to its fund (<see cref="FundRoles"/>: trustee, committee, or a reader), and money and upload
/// helpers. Every read goes through <see cref="FundQueries"/>, every write through the fund's services.
/// </summary>
public abstract class FundPageBase : ConsolePageBase
{
    [Inject] protected FundQueries Queries { get; set; } = default!;

    [Inject] protected FundRoles Roles { get; set; } = default!;

    [Inject] protected FileService Files { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "estate")] public long? EstateParam { get; set; }

    protected List<EstateChoice> Estates { get; private set; } = [];

    protected long? EstateId { get; private set; }

    /// <summary>Null until loaded, or when the admin sees no estate.</summary>
    protected FundRole? Role { get; private set; }

    protected bool IsTrustee => Role?.IsTrustee == true;

    protected bool IsCommittee => Role?.IsCommittee == true;

    protected string EstateName => Estates.FirstOrDefault(e => e.Id == EstateId)?.Name ?? "";

    /// <summary>The same page of another fund page for the estate picked.</summary>
    protected string Link(string path) => EstateId is { } id ? $"{path}?estate={id}" : path;

    protected override async Task OnInitializedAsync()
    {
        await using (var db = await Console.CreateAsync())
        {
            Estates = await BillingQueries.Estates(db).ToListAsync();
        }

        EstateId = Estates.Any(e => e.Id == EstateParam) ? EstateParam : Estates.FirstOrDefault()?.Id;
        await EstateChangedAsync();
    }

    protected async Task SelectEstateAsync(long? estateId)
    {
        EstateId = estateId;
        await EstateChangedAsync();
    }

    private async Task EstateChangedAsync()
    {
        Role = null;
        if (EstateId is { } id)
        {
            await using var db = await Console.CreateAsync();
            Role = await Roles.OfAsync(db, id, CancellationToken.None);
        }

        await LoadAsync();
    }

    /// <summary>Loads what the page shows for <see cref="EstateId"/>.</summary>
    protected abstract Task LoadAsync();

    /// <summary>Large sums with thousands separators: 123,456.78.</summary>
    protected static string Big(long fen) => (fen / 100m).ToString("N2", CultureInfo.InvariantCulture);

    protected static string Yuan(long fen) => Money.Yuan(fen);

    /// <summary>元 as typed into a form, to fen exactly; null when it has more than two decimals or is not positive.</summary>
    protected static long? ToFen(decimal? yuan) =>
        yuan is { } y && y > 0 && y * 100 == decimal.Truncate(y * 100) && y <= FundExpenses.MaxAmountFen / 100m ? (long)(y * 100) : null;

    /// <summary>How the estate's fund sees the signed-in admin, in a sentence.</summary>
    protected string RoleText => Role switch
    {
        null => "",
        { IsTrustee: true, IsCommittee: true } => "您是本小区物管会成员：可以记账、提出支出，也可以审批他人提出的支出",
        { IsTrustee: true } => "您是受托物业：可以记账、提出支出和编制预算，审批须由业委会成员进行",
        { IsCommittee: true } => "您是业委会成员：审批支出和预算（第二把钥匙）",
        _ => "您可以查看本小区基金；记账和审批由受托物业和业委会进行",
    };

    /// <summary>Stores the admin's uploads (images or PDF, as the API's upload does) and returns their ids for the fund's services.</summary>
    protected async Task<List<string>> UploadAsync(NeighbourHubDbContext db, IReadOnlyList<IBrowserFile> files)
    {
        var ids = new List<string>();
        foreach (var file in files)
        {
            if (file.Size > ImageSniffer.MaxBytes)
            {
                throw new DomainValidationException("file", $"「{file.Name}」超过 5 MB，请压缩后再上传。");
            }

            await using var stream = file.OpenReadStream(ImageSniffer.MaxBytes);
            ids.Add((await Files.UploadAsync(db, stream, "/api/v1/admin/files", CancellationToken.None)).Id);
        }

        return ids;
    }

    /// <summary>Where the console (cookie-signed-in) reads an attachment.</summary>
    protected static string FileHref(AttachmentView a) => $"/admin/files/photos/{a.Id}";
}
