"""Small word lists the benchmark generator draws names, titles and texts from (realistic, not random noise)."""

from __future__ import annotations

FIRST_NAMES = (
    "Ava", "Liam", "Sofia", "Noah", "Mia", "Ethan", "Isabella", "Lucas", "Amara", "Mateo", "Chloe", "Arjun",
    "Hannah", "Kenji", "Zoe", "Omar", "Leah", "Diego", "Grace", "Tobias", "Nina", "Samuel", "Priya", "Felix",
    "Elena", "Marcus", "Yara", "Jonas", "Ingrid", "Kwame", "Olivia", "James", "Fatima", "Wei", "Lucia", "Ravi",
    "Emma", "Hugo", "Aisha", "Daniel", "Sara", "Mohammed", "Julia", "Pedro", "Anya", "Connor", "Mei", "Tomas",
)  # fmt: skip
LAST_NAMES = (
    "Chen", "Okafor", "Martinez", "Schmidt", "Nguyen", "Johansson", "Rossi", "Patel", "Kowalski", "Dubois",
    "Tanaka", "Silva", "Murphy", "Haddad", "Fischer", "Larsen", "Moreau", "Cohen", "Singh", "Andersen", "Novak",
    "Costa", "Becker", "Yilmaz", "Walsh", "Ibrahim", "Lindqvist", "Park", "Fernandes", "Mensah", "Garcia",
    "Kim", "Müller", "O'Brien", "Rahman", "Sato", "Alvarez", "Petrov", "Hughes", "Nakamura", "Ortiz", "Berg",
)  # fmt: skip
JOB_TITLES = (
    "Marketing Director", "Head of Growth", "VP of Sales", "Chief Marketing Officer", "Demand Generation Manager",
    "Founder & CEO", "Digital Marketing Manager", "Sales Operations Lead", "Brand Manager",
    "Chief Technology Officer", "E-commerce Manager", "Product Marketing Manager", "Head of Partnerships",
    "Operations Director", "Marketing Coordinator", "Business Development Manager", "Account Executive",
    "Procurement Manager", "IT Director", "Customer Success Lead", "CFO", "Head of Digital", "Content Strategist",
    "Growth Analyst",
)  # fmt: skip
FREE_EMAIL_DOMAINS = ("gmail.example", "outlook.example", "mail.example.com", "proton.example")

COMPANY_PREFIXES = (
    "North", "Blue", "Silver", "Bright", "Summit", "Pioneer", "Coastal", "Urban", "Green", "Iron", "Golden",
    "Alpine", "Prairie", "Harbor", "Vertex", "Lumen", "Crescent", "Evergreen", "Red", "Nova", "Atlas", "Cedar",
    "Falcon", "Orchid", "Granite", "Maple", "Oak", "River", "Sky", "Stone",
)  # fmt: skip
COMPANY_CORES = (
    "wind", "ridge", "field", "stream", "point", "gate", "bridge", "works", "forge", "path", "wave", "light",
    "peak", "harbor", "line", "crest", "spring", "brook", "rock", "view", "dale", "port", "star", "grove",
)  # fmt: skip
COMPANY_SUFFIXES = (
    "Traders", "Labs", "Systems", "Analytics", "Logistics", "Health", "Foods", "Software", "Partners",
    "Manufacturing", "Media", "Energy", "Retail", "Consulting", "Bank", "Insurance", "Studios", "Robotics",
)  # fmt: skip
INDUSTRIES = (
    "Software", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Logistics", "Media & Publishing",
    "Education", "Hospitality", "Energy", "Real Estate", "Biotechnology", "Food & Beverage", "Insurance",
    "E-commerce", "Telecommunications",
)  # fmt: skip
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+")
COMPANY_SIZE_WEIGHTS = (18, 30, 24, 12, 7, 6, 3)
CITIES = (
    "Seattle, WA", "Boston, MA", "Austin, TX", "Denver, CO", "Chicago, IL", "New York, NY", "London, UK",
    "Berlin, DE", "Rotterdam, NL", "Dublin, IE", "Toronto, CA", "Sydney, AU", "Singapore, SG", "Lisbon, PT",
)  # fmt: skip

SPACE_NAMES = (
    "Acme Agency", "Brightside Marketing", "Northstar Growth", "Pipeline Partners", "Lighthouse Digital",
    "Momentum Media", "Keystone Leads", "Bluebird Studio", "Catalyst Consulting", "Harborview Sales",
    "Summit Outreach", "Orbit Demand Gen", "Tidewater Ventures", "Redwood Collective", "Parallel Labs",
    "Ironclad B2B", "Meridian Partners", "Sparrow & Co", "Atlas Revenue", "Quartz Performance",
)  # fmt: skip

# The six default pipeline stages of every scope: (name, colour), stage_order = position.
STAGES = (
    ("New", "#3B82F6"), ("Contacted", "#8B5CF6"), ("Qualified", "#F59E0B"), ("Proposal", "#EC4899"),
    ("Won", "#10B981"), ("Lost", "#EF4444"),
)  # fmt: skip
# How leads spread over the stages (percent), and the centre of their scores there.
STAGE_WEIGHTS = (30, 24, 17, 11, 7, 11)
STAGE_SCORE_CENTRES = (28, 40, 58, 68, 80, 22)

# (name, type, utm_source, utm_medium, utm_campaign); a scope takes the first and a few others.
SOURCES = (
    ("Website", "website", None, None, None),
    ("LinkedIn", "linkedin", "linkedin", "social", "abm-q3"),
    ("Google Ads", "paid_search", "google", "cpc", "brand-search"),
    ("Client referral", "referral", None, None, None),
    ("SaaS Growth Expo", "event", "saas-growth-expo", "event", "expo-2026"),
    ("Newsletter", "email", "newsletter", "email", "monthly-digest"),
    ("Organic search", "organic_search", "google", "organic", None),
    ("Partner network", "partner", "partner-portal", "referral", "partner-q2"),
    ("Facebook Ads", "advertising", "facebook", "paid_social", "retargeting"),
    ("Cold outreach", "direct", None, None, None),
)  # fmt: skip

# (name, criteria_type, criteria_field, condition, value, points)
SCORING_RULES = (
    ("Senior title", "job_title", None, "contains", "Director", 15),
    ("Free email address", "free_email", None, "equals", "true", -10),
    ("Enterprise company", "company_size", None, "in", "1001-5000,5001+", 20),
    ("Came via LinkedIn", "source", None, "equals", "linkedin", 10),
    ("Opens our emails", "activity_count", "email_opened", "greater_than", "3", 10),
    ("Budget above 10k", "budget", None, "greater_than", "10000", 15),
    ("Submitted a form", "form_submitted", None, "is_not_empty", None, 25),
    ("Paid search click", "utm_medium", None, "equals", "cpc", 5),
    ("Software industry", "industry", None, "equals", "Software", 8),
)  # fmt: skip

STATUS_BY_STAGE = (
    (("new", 100),),
    (("contacted", 80), ("nurturing", 20)),
    (("qualified", 85), ("nurturing", 15)),
    (("qualified", 70), ("nurturing", 30)),
    (("converted", 100),),
    (("lost", 65), ("unqualified", 35)),
)  # fmt: skip
AUTHORITIES = ("Decision maker", "Influencer", "Champion", "Budget holder", "End user")
NEEDS = (
    "Grow inbound pipeline", "Lower cost per lead", "Launch in a new market", "Replace an underperforming agency",
    "Improve lead-to-customer conversion", "Automate lead routing",
)  # fmt: skip
TIMELINES = ("This quarter", "Next quarter", "6-12 months", "Exploring")

# (activity_type, weight, done by a team member?, description)
ACTIVITY_TYPES = (
    ("email_sent", 22, True, "Sent a follow-up email"),
    ("email_opened", 16, False, "Opened the email"),
    ("email_clicked", 6, False, "Clicked a link in the email"),
    ("email_replied", 4, False, "Replied to the email"),
    ("call_made", 10, True, "Discovery call"),
    ("call_received", 2, False, "Inbound call"),
    ("meeting", 5, True, "Meeting: goals and next steps"),
    ("note", 9, True, "Internal note after the call"),
    ("task", 4, True, "Prepare a proposal"),
    ("form_submitted", 3, False, "Submitted the contact form"),
    ("page_visit", 9, False, "Visited /pricing"),
    ("stage_changed", 4, True, "Moved to the next stage"),
    ("status_changed", 2, True, "Status updated"),
    ("score_changed", 2, False, "Score recalculated"),
    ("assigned", 1, True, "Assigned to a teammate"),
    ("campaign_joined", 1, False, "Joined a campaign"),
)  # fmt: skip

CAMPAIGN_THEMES = (
    "Spring Launch", "Webinar Series", "Product Hunt Push", "Retargeting", "Partner Co-Marketing", "Black Friday",
    "Customer Stories", "Trade Show Follow-up", "Newsletter Revamp", "ABM Enterprise", "SEO Content Sprint",
    "Referral Bonus", "Year-End Review", "Direct Mail Pilot", "LinkedIn Thought Leadership",
)  # fmt: skip
CAMPAIGN_TYPES = (
    ("email", 30), ("social_media", 15), ("advertising", 15), ("content", 10), ("event", 8), ("webinar", 8),
    ("seo", 6), ("referral", 4), ("direct_mail", 2), ("other", 2),
)  # fmt: skip
CAMPAIGN_STATUSES = (
    ("draft", 10),
    ("scheduled", 8),
    ("active", 35),
    ("paused", 8),
    ("completed", 34),
    ("cancelled", 5),
)
