using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Events.Admin;

/// <summary>
/// What the console's event form holds: text fields and each time as a Beijing date and time (what the pickers
/// give), turned into an <see cref="EventInput"/> for <see cref="EventService"/>, which checks every rule.
/// </summary>
public sealed class EventFormModel
{
    public sealed class Slot(string key, string label, bool optional = false)
    {
        public string Key { get; } = key;
        public string Label { get; } = label;
        public bool Optional { get; } = optional;
        public DateTime? Date { get; set; }
        public TimeSpan? Time { get; set; }

        /// <summary>The instant, or null while the date or the time is missing.</summary>
        public DateTimeOffset? At => Date is { } d && Time is { } t ? new DateTimeOffset(d.Date + t, ChinaTime.Offset) : null;

        public void Set(DateTimeOffset? at)
        {
            var local = at?.ToChina();
            (Date, Time) = (local?.Date, local?.TimeOfDay);
        }
    }

    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public string Location { get; set; } = "";
    public int Capacity { get; set; } = 30;
    public bool VerifiedOnly { get; set; }
    public bool Volunteer { get; set; }
    public int Points { get; set; }

    public Slot Starts { get; } = new("starts", "开始");
    public Slot Ends { get; } = new("ends", "结束");
    public Slot Opens { get; } = new("opens", "报名开始");
    public Slot Closes { get; } = new("closes", "报名截止");
    public Slot CancelBy { get; } = new("cancel", "取消报名截止", optional: true);

    public IReadOnlyList<Slot> Slots => [Starts, Ends, Opens, Closes, CancelBy];

    /// <summary>A new event: tomorrow 9:00–11:00, sign-up open from now until 8:00 tomorrow.</summary>
    public static EventFormModel ForNew(DateTimeOffset now)
    {
        var tomorrow = ChinaTime.StartOf(ChinaTime.DayOf(now).AddDays(1));
        var model = new EventFormModel();
        model.Starts.Set(tomorrow.AddHours(9));
        model.Ends.Set(tomorrow.AddHours(11));
        model.Opens.Set(new DateTimeOffset(now.ToChina().DateTime.Date + new TimeSpan(now.ToChina().Hour, now.ToChina().Minute, 0), ChinaTime.Offset));
        model.Closes.Set(tomorrow.AddHours(8));
        return model;
    }

    public static EventFormModel From(CommunityEvent e)
    {
        var model = new EventFormModel
        {
            Title = e.Title,
            Description = e.Description,
            Location = e.Location,
            Capacity = e.Capacity,
            VerifiedOnly = e.VerifiedOnly,
            Volunteer = e.IsVolunteer,
            Points = e.PointsAwarded,
        };
        model.Starts.Set(e.StartsAt);
        model.Ends.Set(e.EndsAt);
        model.Opens.Set(e.SignupOpensAt);
        model.Closes.Set(e.SignupClosesAt);
        model.CancelBy.Set(e.CancelDeadline);
        return model;
    }

    /// <summary>The input for creating (with the estate) or editing (place left out: it never changes).</summary>
    public EventInput ToInput(long? estateId, bool publish = true) =>
        new(null, estateId, null, Title, Description, null, Location, Starts.At, Ends.At, Opens.At, Closes.At, CancelBy.At,
            Capacity, VerifiedOnly, Volunteer, Volunteer ? Points : 0, publish);
}
