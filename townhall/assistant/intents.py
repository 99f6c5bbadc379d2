"""The intents the residents' assistant understands, each with a one-line description."""

from __future__ import annotations

OUT_OF_SCOPE = "out_of_scope"
SAFEGUARDING = "safeguarding.concern"

INTENT_DESCRIPTIONS: dict[str, str] = {
    "bins.next_collection": "When a bin, recycling, garden or food waste collection is next due",
    "bins.missed": "A bin or recycling collection that was missed",
    "bins.new_container": "A new, replacement, extra or differently sized bin, box or caddy",
    "bins.bulky_waste": "Collection of large household items: furniture, mattresses, white goods",
    "bins.garden_subscription": "Joining, renewing, paying for or cancelling the garden waste service",
    "counciltax.band": "A property's council tax band and the charge for each band",
    "counciltax.balance": "What is owed on a council tax account, bills, instalments, reminders",
    "counciltax.pay": "Paying council tax: ways to pay, direct debits, payment arrangements",
    "counciltax.discount": "Discounts, exemptions and council tax reduction",
    "counciltax.move": "Moving in, moving out or changing the people on a council tax account",
    "report.pothole": "Potholes and damaged roads, pavements, kerbs and covers",
    "report.streetlight": "Street lights that are out, flickering, on all day or damaged",
    "report.flytipping": "Dumped rubbish, litter, overflowing litter bins and dog fouling",
    "report.graffiti": "Graffiti, fly-posting and vandalism of public places",
    "report.noise": "Noise nuisance and antisocial behaviour",
    "request.status": "Progress of a service request or report already made",
    "housing.repair": "Repairs, damp, mould and pests in a council or rented home",
    "housing.apply": "The housing register, homelessness and finding somewhere to live",
    "parking.permit": "Residents', visitors' and blue badge permits, car parks and parking charges",
    "parking.fine": "Parking tickets, penalty charge notices, appeals and parking enforcement",
    "opening_hours": "When council offices, the tip, libraries and leisure centres are open",
    "contact.human": "Speaking to a person, contact details, complaints and councillors",
    SAFEGUARDING: "A child or adult who may be at risk of harm, abuse, neglect or exploitation",
    "greeting": "Hello",
    "thanks": "Thank you",
    "goodbye": "Goodbye, nothing else",
    OUT_OF_SCOPE: "Anything a district council assistant should not answer: national services, other "
    "organisations, general knowledge and small talk",
}

INTENTS: tuple[str, ...] = tuple(INTENT_DESCRIPTIONS)
