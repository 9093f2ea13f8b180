// Package recommend will own the rule engine that turns facts about a client
// (questionnaire, skin journal, visits, purchases) into ranked, explained
// recommendations and personal offers, with JSON rule sets and an embedded
// default rule set for skin care.
//
// It arrives with the recommendations issue; until then it declares nothing.
package recommend
